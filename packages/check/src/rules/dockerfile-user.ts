import { stages } from '../dockerfile.js';
import { DOCKERFILE } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'dockerfile-user',
  description: 'The final stage of a Dockerfile switches to a non-root user (`USER node` for Node images).',
  remediation: 'Add `USER node` (or another unprivileged user) after the last step that needs root in the final stage.',
  severity: 'warning',
  profiles: ['production'],
  kinds: [DOCKERFILE],
  *check({ unit }) {
    for (const d of unit.dockerfiles) {
      const last = stages(d).at(-1);
      if (!last) continue;
      const user = last.instructions.filter((i) => i.instruction === 'USER').at(-1);
      if (!user) yield { dockerfile: d, line: last.from.line, message: 'the final stage runs as root (no USER instruction)' };
      else if (/^(root|0)(:.*)?$/.test(user.args.trim())) yield { dockerfile: d, line: user.line, message: `the final stage runs as ${user.args.trim()}` };
    }
  },
});
