import { COMPONENTS, TABLE, workloadOf } from '../bernstein.js';
import { podTemplate } from '../k8s.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-restart',
  description: 'redis, postgres and cadvisor restart always (`restartPolicy` unset or `Always`).',
  remediation: 'Remove `restartPolicy` from the pod template or set it to `Always`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Deployment', 'DaemonSet'],
  *check({ unit }) {
    for (const c of COMPONENTS) {
      const w = workloadOf(unit.objects, c);
      const t = w ? podTemplate(w) : undefined;
      if (!TABLE[c].restartAlways || !w || !t) continue;
      const p = t.spec.restartPolicy;
      if (p !== undefined && p !== 'Always') yield { object: w, path: [...t.specPath, 'restartPolicy'], message: `${c} has restartPolicy ${JSON.stringify(p)}; it must restart always` };
    }
  },
});
