import { namespaceOf, podTemplate, selectorMatches, selectsAll } from '../k8s.js';
import { SERVICE_WORKLOAD_KINDS } from '../kinds.js';
import type { K8sObject } from '../model.js';
import { at, records, strings } from '../read.js';
import { defineRule } from './define.js';

/**
 * Namespaces where other components of the cluster run (CoreDNS, kube-proxy, …): a default deny
 * there would cut off what the input does not show, so only the input's own pods are asked for.
 */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/**
 * A policy that isolates every pod of its namespace for ingress and lets in only named sources:
 * `podSelector: {}`, Ingress among its types (the default when policyTypes is absent), and no
 * ingress rule without `from` (such a rule admits every source,
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies).
 */
function isDefaultDeny(p: K8sObject): boolean {
  if (!selectsAll(at(p.data, 'spec', 'podSelector'))) return false;
  const types = strings(at(p.data, 'spec', 'policyTypes'));
  if (types.length > 0 && !types.includes('Ingress')) return false;
  return records(at(p.data, 'spec', 'ingress')).every(({ value: rule }) => records(rule.from).length > 0);
}

export default defineRule({
  id: 'network-policy',
  description:
    'Every workload is selected by at least one NetworkPolicy in its namespace, so only the traffic it needs reaches it (e.g. only worker and result reach PostgreSQL); and every namespace with workloads (kube-system, kube-public and kube-node-lease aside, where a default deny would cut off the cluster\'s own components) has a default-deny ingress policy (`podSelector: {}`, no rule admitting every source), so a pod added later is not open to the whole cluster (https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies).',
  remediation: 'Add NetworkPolicies: a default deny for the namespace (`podSelector: {}`, `policyTypes: [Ingress, Egress]`, no rules) plus one allowing each legitimate flow.',
  severity: 'warning',
  profiles: ['production'],
  kinds: SERVICE_WORKLOAD_KINDS,
  *check({ objectsOf }) {
    const policies = objectsOf('NetworkPolicy');
    const reported = new Set<string>();
    for (const o of objectsOf(...SERVICE_WORKLOAD_KINDS)) {
      const t = podTemplate(o);
      if (!t) continue;
      const ns = namespaceOf(o);
      const inNamespace = policies.filter((p) => namespaceOf(p) === ns);
      const covered = inNamespace.some((p) => {
        const sel = at(p.data, 'spec', 'podSelector');
        return selectsAll(sel) || selectorMatches(sel, t.labels);
      });
      if (!covered) yield { object: o, path: ['metadata', 'name'], message: `no NetworkPolicy selects the pods of ${o.kind} "${o.name}"` };
      if (SYSTEM_NAMESPACES.has(ns) || reported.has(ns) || inNamespace.some(isDefaultDeny)) continue;
      reported.add(ns);
      yield {
        object: o,
        path: ['metadata', 'name'],
        message: `namespace "${ns}" has no default-deny NetworkPolicy (podSelector: {} admitting only named sources): a pod that no other policy selects, such as one added later, accepts traffic from the whole cluster`,
      };
    }
  },
});
