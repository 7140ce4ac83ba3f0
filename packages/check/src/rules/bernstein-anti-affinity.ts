import { COMPONENTS, TABLE, workloadOf } from '../bernstein.js';
import { podTemplate, selectorMatches } from '../k8s.js';
import { at, records } from '../read.js';
import { defineRule } from './define.js';

const HOST = 'kubernetes.io/hostname';

export default defineRule({
  id: 'bernstein-anti-affinity',
  description: 'The pods of each replicated service (poll, result, traefik) run on different nodes: a required pod anti-affinity on `kubernetes.io/hostname` selecting the pods themselves, or an equivalent topology spread (maxSkew 1, DoNotSchedule).',
  remediation: 'Add `affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution` with `topologyKey: kubernetes.io/hostname` and a `labelSelector` matching the pod template labels.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Deployment'],
  *check({ objectsOf }) {
    const deployments = objectsOf('Deployment');
    for (const c of COMPONENTS) {
      const w = TABLE[c].spread ? workloadOf(deployments, c) : undefined;
      const t = w ? podTemplate(w) : undefined;
      if (!w || !t) continue;
      const required = records(at(t.spec, 'affinity', 'podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'));
      const spread = records(t.spec.topologySpreadConstraints);
      const ok =
        required.some(({ value: r }) => r.topologyKey === HOST && selectorMatches(r.labelSelector, t.labels)) ||
        spread.some(({ value: s }) => s.topologyKey === HOST && s.maxSkew === 1 && s.whenUnsatisfiable === 'DoNotSchedule' && selectorMatches(s.labelSelector, t.labels));
      if (!ok) yield { object: w, path: [...t.specPath, 'affinity'], message: `${c} pods may share a node: no required pod anti-affinity on ${HOST} selecting its own pods` };
    }
  },
});
