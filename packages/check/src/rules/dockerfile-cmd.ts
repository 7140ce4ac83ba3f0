import { stages } from '../dockerfile.js';
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
      const last = stages(d).at(-1);
      if (!last) continue;
      const start = last.instructions.filter((i) => i.instruction === 'CMD' || i.instruction === 'ENTRYPOINT');
      if (start.length === 0) continue; // inherits the base image's command
      for (const i of start) {
        const exec = i.args.trim().startsWith('[');
        if (!exec) yield { dockerfile: d, line: i.line, message: `${i.instruction} in shell form: a shell becomes PID 1 and swallows SIGTERM` };
        else if (/"(npm|yarn|pnpm)"/.test(i.args)) yield { dockerfile: d, line: i.line, message: `${i.instruction} starts through a package manager, which does not forward signals; run node directly` };
      }
    }
  },
});
