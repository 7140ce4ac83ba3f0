import { COMPONENTS, mainContainer, TABLE, workloadOf } from '../bernstein.js';
import { memoryBytes } from '../k8s.js';
import { at, text } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-memory-limit',
  description: 'Memory limits of the Bernstein profile: poll 128M, result 128M, worker 256M (`128Mi`/`256Mi` accepted).',
  remediation: 'Set `resources.limits.memory` of the service container to `128M` (poll, result) or `256M` (worker).',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Deployment'],
  *check({ objectsOf }) {
    const deployments = objectsOf('Deployment');
    for (const c of COMPONENTS) {
      const want = TABLE[c].memoryLimit;
      const w = workloadOf(deployments, c);
      if (!want || !w) continue;
      const main = mainContainer(w);
      if (!main) continue;
      const path = [...main.path, 'resources', 'limits', 'memory'];
      const got = at(main.c, 'resources', 'limits', 'memory');
      const bytes = memoryBytes(got);
      const accepted = [memoryBytes(want), memoryBytes(`${want}i`)];
      if (got === undefined) yield { object: w, path, message: `${c} has no memory limit; the profile asks for ${want}` };
      else if (!accepted.includes(bytes)) yield { object: w, path, message: `${c} memory limit is ${text(got)}; the profile asks for ${want}` };
    }
  },
});
