import { isRecord, podTemplate, selectorMatches } from '../k8s.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'anti-affinity-selector',
  description: "A pod anti-affinity term (or topology spread constraint) of a workload selects the workload's own pod labels; otherwise it keeps nothing apart.",
  remediation: 'Use the labels of the pod template in the term `labelSelector` (e.g. `matchLabels: {app: poll}` when the pods carry `app: poll`).',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet'],
  *check({ unit }) {
    for (const o of unit.objects) {
      const t = podTemplate(o);
      if (!t || o.kind === 'DaemonSet') continue;
      const anti = t.spec.affinity?.podAntiAffinity;
      const lists: [string, unknown][] = isRecord(anti)
        ? [
            ['requiredDuringSchedulingIgnoredDuringExecution', anti.requiredDuringSchedulingIgnoredDuringExecution],
            ['preferredDuringSchedulingIgnoredDuringExecution', anti.preferredDuringSchedulingIgnoredDuringExecution],
          ]
        : [];
      for (const [field, list] of lists) {
        if (!Array.isArray(list)) continue;
        for (const [i, term] of list.entries()) {
          const sel = isRecord(term) ? (term.labelSelector ?? term.podAffinityTerm?.labelSelector) : undefined;
          if (sel !== undefined && !selectorMatches(sel, t.labels)) {
            yield { object: o, path: [...t.specPath, 'affinity', 'podAntiAffinity', field, i], message: `anti-affinity selector ${JSON.stringify(sel)} does not match the pods' own labels ${JSON.stringify(t.labels)}` };
          }
        }
      }
      const spread: unknown[] = Array.isArray(t.spec.topologySpreadConstraints) ? t.spec.topologySpreadConstraints : [];
      for (const [i, c] of spread.entries()) {
        if (isRecord(c) && c.labelSelector !== undefined && !selectorMatches(c.labelSelector, t.labels)) {
          yield { object: o, path: [...t.specPath, 'topologySpreadConstraints', i], message: `topology spread selector does not match the pods' own labels ${JSON.stringify(t.labels)}` };
        }
      }
    }
  },
});
