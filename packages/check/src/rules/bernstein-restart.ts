import { COMPONENTS, TABLE, workloadOf } from '../bernstein.js';
import { podTemplate } from '../k8s.js';
import { SERVICE_WORKLOAD_KINDS } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-restart',
  description: 'redis, postgres and cadvisor restart always (`restartPolicy` unset or `Always`).',
  remediation: 'Remove `restartPolicy` from the pod template or set it to `Always`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: SERVICE_WORKLOAD_KINDS,
  *check({ objectsOf }) {
    const workloads = objectsOf(...SERVICE_WORKLOAD_KINDS);
    for (const c of COMPONENTS) {
      const w = workloadOf(workloads, c);
      const t = w ? podTemplate(w) : undefined;
      if (!TABLE[c].restartAlways || !w || !t) continue;
      const p = t.spec.restartPolicy;
      if (p !== undefined && p !== 'Always') yield { object: w, path: [...t.specPath, 'restartPolicy'], message: `${c} has restartPolicy ${JSON.stringify(p)}; it must restart always` };
    }
  },
});
