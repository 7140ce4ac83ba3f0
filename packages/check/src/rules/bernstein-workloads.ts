import { COMPONENTS, TABLE, workloadOf } from '../bernstein.js';
import { SERVICE_WORKLOAD_KINDS } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-workloads',
  description: 'Each Bernstein component has its workload of the right kind: Deployments for redis, postgres, poll, worker, result and traefik; a DaemonSet for cadvisor (so it runs on every node).',
  remediation: 'Add the missing Deployment/DaemonSet, labelled with the component name (e.g. `app: poll`).',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: SERVICE_WORKLOAD_KINDS,
  reportsAbsence: true,
  *check({ unit, objectsOf }) {
    if (unit.objects.length === 0) return;
    const workloads = objectsOf(...SERVICE_WORKLOAD_KINDS);
    for (const c of COMPONENTS) {
      const w = workloadOf(workloads, c);
      const want = TABLE[c].kind;
      if (!w) yield { file: unit.root, message: `no ${want} for ${c}` };
      else if (w.kind !== want) yield { object: w, path: ['kind'], message: `${c} must be a ${want}, not a ${w.kind}` };
    }
  },
});
