import { namespaceOf, podTemplate } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import type { K8sObject } from '../model.js';
import { at, records, str, strings } from '../read.js';
import { traefikInstances } from '../traefik/index.js';
import { defineRule } from './define.js';

const READ_VERBS = ['get', 'list', 'watch'];

/**
 * Built-in ClusterRoles that read Secrets: cluster-admin (everything), admin and edit (read
 * Secrets; view deliberately does not) —
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles.
 */
const BUILTIN_SECRET_READERS: Readonly<Record<string, readonly string[]>> = { 'cluster-admin': ['*'], admin: READ_VERBS, edit: READ_VERBS };

/** The read verbs on Secrets a ClusterRole grants for every Secret (a rule limited by resourceNames aside). */
function secretReadVerbs(role: K8sObject): string[] {
  const out = new Set<string>();
  for (const { value: rule } of records(at(role.data, 'rules'))) {
    const groups = strings(rule.apiGroups);
    const resources = strings(rule.resources);
    if (!groups.some((g) => g === '' || g === '*') || !resources.some((r) => r === 'secrets' || r === '*')) continue;
    if (strings(rule.resourceNames).length > 0) continue;
    for (const v of strings(rule.verbs)) if (v === '*' || READ_VERBS.includes(v)) out.add(v);
  }
  return [...out];
}

function serviceAccountOf(o: K8sObject): string {
  const spec = podTemplate(o)?.spec;
  return str(spec?.serviceAccountName) ?? str(spec?.serviceAccount) ?? 'default';
}

export default defineRule({
  id: 'secret-read-cluster-wide',
  description:
    "No workload's ServiceAccount may read the Secrets of every namespace: a ClusterRoleBinding to a ClusterRole that grants get, list or watch on `secrets` (or to the built-in cluster-admin, admin or edit, https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles) hands whoever takes over that pod every database password, token and TLS key of the cluster. A RoleBinding (to a Role, or to a ClusterRole: it then grants only in its own namespace) is not reported. Traefik reads Secrets for the TLS certificates (and auth middlewares) of the routes it serves, so it needs them only in the namespaces it watches: with the provider's `namespaces` option set, Roles and RoleBindings in those namespaces are enough (traefik-rbac checks they cover what each provider lists).",
  remediation:
    "Grant Secrets through a Role and RoleBinding in each namespace whose Secrets the workload needs (for Traefik: set `--providers.kubernetesingress.namespaces` / `--providers.kubernetescrd.namespaces` to the namespaces of its routes and bind a Role on secrets in each), and keep only cluster-scoped or non-secret resources in the ClusterRole; if cluster-wide is truly required, say why in the deployment's documentation and silence the rule on the binding (`bernstein.dev/ignore: secret-read-cluster-wide`).",
  severity: 'warning',
  profiles: ['production'],
  kinds: ['ClusterRoleBinding'],
  *check({ unit, objectsOf }) {
    const workloads = objectsOf(...POD_TEMPLATE_KINDS);
    const traefiks = traefikInstances(unit.objects);
    for (const b of objectsOf('ClusterRoleBinding')) {
      if (at(b.data, 'roleRef', 'kind') !== 'ClusterRole') continue;
      const roleName = str(at(b.data, 'roleRef', 'name')) ?? '';
      const role = objectsOf('ClusterRole').find((r) => r.name === roleName);
      const verbs = role ? secretReadVerbs(role) : [...(BUILTIN_SECRET_READERS[roleName] ?? [])];
      if (verbs.length === 0) continue;
      for (const { value: s, index } of records(at(b.data, 'subjects'))) {
        if (s.kind !== 'ServiceAccount') continue;
        const account = str(s.name) ?? '';
        const ns = str(s.namespace) ?? 'default';
        const users = workloads.filter((w) => namespaceOf(w) === ns && serviceAccountOf(w) === account);
        if (users.length === 0) continue;
        const names = users.map((w) => `${w.kind} "${w.name}"`).join(', ');
        const traefik = traefiks.find((t) => users.includes(t.object));
        const why = traefik
          ? `; ${traefik.version.label} reads Secrets only for the TLS certificates and auth middlewares of the routes it serves: set its provider's namespaces option and grant secrets with a Role and RoleBinding in each of those namespaces`
          : '; grant secrets with a Role and RoleBinding in the namespaces it needs them';
        yield {
          object: b,
          path: ['subjects', index],
          message: `ClusterRoleBinding "${b.name}" gives ServiceAccount "${ns}/${account}" (${names}) ${verbs.includes('*') ? 'every verb (*)' : verbs.join('/')} on the Secrets of every namespace through ClusterRole "${roleName}"${why}`,
        };
      }
    }
  },
});
