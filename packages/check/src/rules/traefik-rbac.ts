import { PROVIDER_NAME, isV1, missingRbac, traefikInstances, type Need } from '../traefik/index.js';
import { defineRule } from './define.js';

/** "list/watch services, secrets (core API group), ingressclasses (networking.k8s.io; cluster-scoped: needs a ClusterRoleBinding)". */
function describe(needs: readonly Need[]): string {
  const byGroup = new Map<string, string[]>();
  for (const n of needs) {
    const group = `${n.groups.map((g) => (g === '' ? 'core API group' : g)).join(' or ')}${n.clusterScoped ? '; cluster-scoped: needs a ClusterRoleBinding' : ''}`;
    byGroup.set(group, [...(byGroup.get(group) ?? []), n.resource]);
  }
  return `list/watch ${[...byGroup].map(([group, resources]) => `${resources.join(', ')} (${group})`).join(', ')}`;
}

export default defineRule({
  id: 'traefik-rbac',
  description:
    "Traefik's ServiceAccount is bound to roles that let every enabled provider list and watch what it reads in that version: 1.7 services, endpoints, secrets, ingresses; 2.x adds ingressclasses (Ingress provider, 2.3+) and the Traefik CRD kinds of its group (traefik.containo.us before 2.10, both groups in 2.10/2.11, traefik.io in 3.x); 3.1+ reads endpointslices instead of endpoints and nodes (unless disableClusterScopeResources); the 3.4+ CRD provider also watches configmaps. A provider waits for every cache before it serves anything, so one forbidden list leaves all its routes unserved (https://github.com/traefik/traefik/issues/11739, https://doc.traefik.io/traefik/migration/v3/). A RoleBinding does not allow the cluster-wide list a provider without `namespaces` makes.",
  remediation:
    "Give Traefik a ClusterRole with get/list/watch on the resources listed in the finding (Traefik's own RBAC for your version: https://raw.githubusercontent.com/traefik/traefik/v3.4/docs/content/reference/dynamic-configuration/kubernetes-crd-rbac.yml) and a ClusterRoleBinding to Traefik's ServiceAccount in the namespace it runs in.",
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'DaemonSet', 'StatefulSet', 'Pod', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  *check({ unit }) {
    for (const t of traefikInstances(unit.objects)) {
      const missing = missingRbac(t, unit.objects);
      if (!missing) continue; // a bound role is not in the input: its rules are unknown
      for (const m of missing) {
        yield {
          object: t.object,
          path: [...t.podSpecPath, 'serviceAccountName'],
          message: `${t.version.label} (${t.id}): ServiceAccount "${t.serviceAccount}" (namespace "${t.namespace}") may not ${describe(m.needs)}: the ${isV1(t.version) ? 'kubernetes' : PROVIDER_NAME[m.provider.kind]} provider waits for that cache forever and never syncs, so none of its routes is served (clients get 404)`,
        };
      }
    }
  },
});
