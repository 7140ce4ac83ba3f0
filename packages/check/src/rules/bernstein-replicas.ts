import { COMPONENTS, TABLE, workloadOf } from '../bernstein.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-replicas',
  description: 'Replica counts of the Bernstein profile: redis 1, postgres 1, poll 2, worker 1, result 2, traefik 2 (never 0).',
  remediation: 'Set `spec.replicas` to the number in the table (unset means 1).',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Deployment'],
  *check({ unit }) {
    for (const c of COMPONENTS) {
      const want = TABLE[c].replicas;
      const w = workloadOf(unit.objects, c);
      if (want === undefined || !w || w.kind !== 'Deployment') continue;
      const r = w.data?.spec?.replicas;
      const got = r === undefined ? 1 : r;
      if (got !== want) yield { object: w, path: ['spec', 'replicas'], message: `${c} runs ${JSON.stringify(got)} replica(s); the profile asks for ${want}` };
    }
  },
});
