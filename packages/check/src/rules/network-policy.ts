import { namespaceOf, podTemplate, selectorMatches, selectsAll } from '../k8s.js';
import { SERVICE_WORKLOAD_KINDS } from '../kinds.js';
import { at } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'network-policy',
  description: 'Every workload is selected by at least one NetworkPolicy in its namespace, so only the traffic it needs reaches it (e.g. only worker and result reach PostgreSQL).',
  remediation: 'Add NetworkPolicies: a default deny for the namespace (`podSelector: {}`) plus one allowing each legitimate flow.',
  severity: 'warning',
  profiles: ['production'],
  kinds: SERVICE_WORKLOAD_KINDS,
  *check({ objectsOf }) {
    const policies = objectsOf('NetworkPolicy');
    for (const o of objectsOf(...SERVICE_WORKLOAD_KINDS)) {
      const t = podTemplate(o);
      if (!t) continue;
      const covered = policies.some((p) => {
        if (namespaceOf(p) !== namespaceOf(o)) return false;
        const sel = at(p.data, 'spec', 'podSelector');
        return selectsAll(sel) || selectorMatches(sel, t.labels);
      });
      if (!covered) yield { object: o, path: ['metadata', 'name'], message: `no NetworkPolicy selects the pods of ${o.kind} "${o.name}"` };
    }
  },
});
