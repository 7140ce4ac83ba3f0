import { COMPONENTS, TABLE, workloadOf } from '../bernstein.js';
import { containersOf, podTemplate } from '../k8s.js';
import { SERVICE_WORKLOAD_KINDS } from '../kinds.js';
import { records } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-container-ports',
  description: 'Containers declare the ports of the profile: redis 6379, postgres 5432, poll 80, result 80, traefik 80 and 8080, cadvisor 8080.',
  remediation: 'Add the port under the container `ports:` (`- containerPort: 80`) and make the process listen on it (our services read `PORT`).',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: SERVICE_WORKLOAD_KINDS,
  *check({ objectsOf }) {
    const workloads = objectsOf(...SERVICE_WORKLOAD_KINDS);
    for (const c of COMPONENTS) {
      const w = workloadOf(workloads, c);
      if (!w) continue;
      const declared = containersOf(w, false).flatMap(({ c: ct }) => records(ct.ports).map(({ value }) => value.containerPort));
      for (const port of TABLE[c].ports) {
        if (!declared.includes(port)) yield { object: w, path: [...(podTemplate(w)?.specPath ?? []), 'containers'], message: `${c} declares no containerPort ${port}` };
      }
    }
  },
});
