import { byKind, namespaceOf, podTemplate, selectorMatches } from '../k8s.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'network-policy',
  description: 'Every workload is selected by at least one NetworkPolicy in its namespace, so only the traffic it needs reaches it (e.g. only worker and result reach PostgreSQL).',
  remediation: 'Add NetworkPolicies: a default deny for the namespace (`podSelector: {}`) plus one allowing each legitimate flow.',
  severity: 'warning',
  profiles: ['production'],
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'NetworkPolicy'],
  *check({ unit }) {
    const policies = byKind(unit.objects, 'NetworkPolicy');
    for (const o of unit.objects) {
      const t = podTemplate(o);
      if (!t || !['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind)) continue;
      const covered = policies.some((p) => {
        if (namespaceOf(p) !== namespaceOf(o)) return false;
        const sel = p.data?.spec?.podSelector;
        const empty = sel !== null && typeof sel === 'object' && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
        return empty || selectorMatches(sel, t.labels);
      });
      if (!covered) yield { object: o, path: ['metadata', 'name'], message: `no NetworkPolicy selects the pods of ${o.kind} "${o.name}"` };
    }
  },
});
