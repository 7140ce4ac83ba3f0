import { byKind, isRecord, namespaceOf, podTemplate } from '../k8s.js';
import { at, list, records, str } from '../read.js';
import type { K8sObject } from '../model.js';
import { traefikWorkloads, type Provider } from '../traefik.js';
import { defineRule } from './define.js';

interface Need {
  readonly groups: readonly string[];
  /** Any one of these resources satisfies the need (endpoints or endpointslices). */
  readonly resources: readonly string[];
}

const common: Need[] = [
  { groups: [''], resources: ['services'] },
  { groups: ['', 'discovery.k8s.io'], resources: ['endpoints', 'endpointslices'] },
  { groups: [''], resources: ['secrets'] },
];
const NEEDS: Record<Provider, Need[]> = {
  ingress: [...common, { groups: ['networking.k8s.io', 'extensions'], resources: ['ingresses'] }, { groups: ['networking.k8s.io'], resources: ['ingressclasses'] }],
  crd: [...common, { groups: ['traefik.io', 'traefik.containo.us'], resources: ['ingressroutes'] }, { groups: ['traefik.io', 'traefik.containo.us'], resources: ['middlewares'] }],
};

function grants(rules: readonly unknown[], need: Need): boolean {
  return rules.some((r) => {
    if (!isRecord(r)) return false;
    const groups: string[] = Array.isArray(r.apiGroups) ? r.apiGroups.map(String) : [];
    const resources: string[] = Array.isArray(r.resources) ? r.resources.map(String) : [];
    const verbs: string[] = Array.isArray(r.verbs) ? r.verbs.map(String) : [];
    const groupOk = groups.includes('*') || need.groups.some((g) => groups.includes(g));
    const resOk = resources.includes('*') || need.resources.some((res) => resources.includes(res));
    const verbOk = verbs.includes('*') || ['list', 'watch'].every((v) => verbs.includes(v));
    return groupOk && resOk && verbOk;
  });
}

/** Rules granted to a ServiceAccount through bindings present in the manifests. */
function rulesFor(objects: readonly K8sObject[], sa: string, ns: string): unknown[] {
  const out: unknown[] = [];
  for (const b of byKind(objects, 'ClusterRoleBinding', 'RoleBinding')) {
    const bound = records(at(b.data, 'subjects')).some(({ value: s }) => s.kind === 'ServiceAccount' && s.name === sa && (str(s.namespace) ?? namespaceOf(b)) === ns);
    const roleRef = at(b.data, 'roleRef');
    if (!bound || !isRecord(roleRef)) continue;
    const role = objects.find((o) => o.kind === roleRef.kind && o.name === roleRef.name && (o.kind === 'ClusterRole' || namespaceOf(o) === namespaceOf(b)));
    if (role) out.push(...list(at(role.data, 'rules')));
  }
  return out;
}

export default defineRule({
  id: 'traefik-rbac',
  description: "Traefik's ServiceAccount is bound to a (Cluster)Role that lets it list and watch what its enabled providers read: services, endpoints or endpointslices, secrets, and ingresses + ingressclasses (Ingress provider) or ingressroutes + middlewares (CRD provider).",
  remediation: 'Give Traefik its own ServiceAccount, a ClusterRole with get/list/watch on those resources, and a ClusterRoleBinding from the role to the ServiceAccount (in the namespace Traefik runs in).',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'DaemonSet', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  *check({ unit }) {
    const hasIngress = byKind(unit.objects, 'Ingress').length > 0;
    for (const t of traefikWorkloads(unit.objects)) {
      const providers = t.providers ?? new Set<Provider>(hasIngress ? ['ingress'] : []);
      const spec = podTemplate(t.object)?.spec ?? {};
      const sa: string = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : 'default';
      const rules = rulesFor(unit.objects, sa, namespaceOf(t.object));
      const missing = [...providers].flatMap((p) => NEEDS[p]).filter((n) => !grants(rules, n));
      const names = [...new Set(missing.map((n) => n.resources.join(' or ')))];
      if (names.length > 0) {
        yield {
          object: t.object,
          path: [...(podTemplate(t.object)?.specPath ?? []), 'serviceAccountName'],
          message: `Traefik's ServiceAccount "${sa}" (namespace "${namespaceOf(t.object)}") cannot list/watch ${names.join(', ')}`,
        };
      }
    }
  },
});
