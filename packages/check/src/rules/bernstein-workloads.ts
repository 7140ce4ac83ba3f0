import { COMPONENTS, TABLE, workloadOf } from '../bernstein.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-workloads',
  description: 'Each Bernstein component has its workload of the right kind: Deployments for redis, postgres, poll, worker, result and traefik; a DaemonSet for cadvisor (so it runs on every node).',
  remediation: 'Add the missing Deployment/DaemonSet, labelled with the component name (e.g. `app: poll`).',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Deployment', 'DaemonSet'],
  *check({ unit }) {
    if (unit.objects.length === 0) return;
    for (const c of COMPONENTS) {
      const w = workloadOf(unit.objects, c);
      const want = TABLE[c].kind;
      if (!w) yield { file: unit.root, message: `no ${want} for ${c}` };
      else if (w.kind !== want) yield { object: w, path: ['kind'], message: `${c} must be a ${want}, not a ${w.kind}` };
    }
  },
});
