import { inheritedInstructions, stages, targetStages } from '../dockerfile.js';
import { DOCKERFILE } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'dockerfile-cmd',
  description: 'The final stage starts the program in exec form (JSON array) and runs `node` directly, not through `npm start` or a shell, so SIGTERM reaches Node and shutdown is graceful.',
  remediation: 'Use `CMD ["node", "dist/server.js"]` (exec form); no `npm start`, no shell form `CMD node …`.',
  severity: 'warning',
  profiles: ['production'],
  kinds: [DOCKERFILE],
  *check({ unit }) {
    for (const d of unit.dockerfiles) {
      const all = stages(d);
      // The command each target runs: its own, or the one it inherits from the stage it builds on
      // (the engine reports a line shared by several targets once).
      const start = targetStages(all).flatMap((target) => {
        const inherited = inheritedInstructions(target, all);
        return ['CMD', 'ENTRYPOINT'].flatMap((kind) => inherited.filter((i) => i.instruction === kind).slice(-1));
      });
      for (const i of new Set(start)) {
        const exec = i.args.trim().startsWith('[');
        if (!exec) yield { dockerfile: d, line: i.line, message: `${i.instruction} in shell form: a shell becomes PID 1 and swallows SIGTERM` };
        else if (/"(npm|yarn|pnpm)"/.test(i.args)) yield { dockerfile: d, line: i.line, message: `${i.instruction} starts through a package manager, which does not forward signals; run node directly` };
      }
    }
  },
});
