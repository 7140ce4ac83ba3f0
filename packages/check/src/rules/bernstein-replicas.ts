import { COMPONENTS, TABLE, workloadOf } from '../bernstein.js';
import { at } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-replicas',
  description: 'Replica counts of the Bernstein profile: redis 1, postgres 1, poll 2, worker 1, result 2, traefik 2 (never 0).',
  remediation: 'Set `spec.replicas` to the number in the table (unset means 1).',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Deployment'],
  *check({ objectsOf }) {
    const deployments = objectsOf('Deployment');
    for (const c of COMPONENTS) {
      const want = TABLE[c].replicas;
      const w = workloadOf(deployments, c);
      if (want === undefined || !w) continue;
      const got = at(w.data, 'spec', 'replicas') ?? 1;
      if (got !== want) yield { object: w, path: ['spec', 'replicas'], message: `${c} runs ${JSON.stringify(got)} replica(s); the profile asks for ${want}` };
    }
  },
});
