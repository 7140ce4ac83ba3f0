import { namespaceOf, podTemplate, replicasOf, selectorMatches } from '../k8s.js';
import { REPLICATED_KINDS } from '../kinds.js';
import { at } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'pdb',
  description: 'Every replicated workload (more than one replica) is covered by a PodDisruptionBudget, so a node drain keeps some replicas serving.',
  remediation: 'Add a `policy/v1` PodDisruptionBudget with `maxUnavailable: 1` (or `minAvailable`) and a selector matching the pod labels.',
  severity: 'warning',
  profiles: ['production'],
  kinds: REPLICATED_KINDS,
  *check({ objectsOf }) {
    const pdbs = objectsOf('PodDisruptionBudget');
    for (const o of objectsOf(...REPLICATED_KINDS)) {
      const r = replicasOf(o);
      const t = podTemplate(o);
      if (r === undefined || r < 2 || !t) continue;
      if (!pdbs.some((p) => namespaceOf(p) === namespaceOf(o) && selectorMatches(at(p.data, 'spec', 'selector'), t.labels))) {
        yield { object: o, path: ['spec', 'replicas'], message: `${r} replicas but no PodDisruptionBudget selects its pods` };
      }
    }
  },
});
