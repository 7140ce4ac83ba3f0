import { inheritedInstructions, stageName, stages, targetStages } from '../dockerfile.js';
import { DOCKERFILE } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'dockerfile-user',
  description: 'The final stage of a Dockerfile (every target stage, in a Dockerfile with one per service) runs as a non-root user (`USER node` for Node images), set in it or in the stage it builds on.',
  remediation: 'Add `USER node` (or another unprivileged user) after the last step that needs root in the final stage.',
  severity: 'warning',
  profiles: ['production'],
  kinds: [DOCKERFILE],
  *check({ unit }) {
    for (const d of unit.dockerfiles) {
      const all = stages(d);
      const targets = targetStages(all);
      for (const target of targets) {
        const name = stageName(target, targets);
        const user = inheritedInstructions(target, all).filter((i) => i.instruction === 'USER').at(-1);
        if (!user) yield { dockerfile: d, line: target.from.line, message: `${name} runs as root (no USER instruction)` };
        else if (/^(root|0)(:.*)?$/.test(user.args.trim())) yield { dockerfile: d, line: user.line, message: `${name} runs as ${user.args.trim()}` };
      }
    }
  },
});
