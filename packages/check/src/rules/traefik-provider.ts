import type { K8sObject } from '../model.js';
import { PROVIDER_FLAG, PROVIDER_NAME, isV1, routeObjects, routeProvider, traefikInstances, type ProviderKind, type TraefikInstance } from '../traefik/index.js';
import { defineRule } from './define.js';

const KIND_WORDS: Record<ProviderKind, string> = { ingress: 'Ingress', crd: 'IngressRoute', gateway: 'Gateway API route' };

function flagFor(t: TraefikInstance, kind: ProviderKind): string {
  if (isV1(t.version)) return kind === 'ingress' ? '--kubernetes' : '(none: Traefik 1.7 reads only Ingresses)';
  return `--${PROVIDER_FLAG[kind]}=true`;
}

export default defineRule({
  id: 'traefik-provider',
  description:
    "Each kind of route in the input is read by an enabled provider of a Traefik of the input, in that Traefik's own syntax: Ingress needs `--kubernetes` (1.7) or `--providers.kubernetesingress` (2.x/3.x), IngressRoute needs `--providers.kubernetescrd` (2.x/3.x; 1.7 has no CRD provider), HTTPRoute needs `--providers.kubernetesgateway`. A flag of the other dialect (`--kubernetes` on v3, `--providers.*` on 1.7) enables nothing. Providers: https://doc.traefik.io/traefik/v1.7/configuration/backends/kubernetes/, https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/.",
  remediation: 'Add the provider flag for the routes you use to the Traefik container args, in the syntax of its version (e.g. `--providers.kubernetesingress=true` for Ingress on v3, `--kubernetes` on 1.7), or rewrite the routes into a kind your Traefik reads.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'DaemonSet', 'StatefulSet', 'Pod', 'Ingress', 'IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'],
  *check({ unit }) {
    const known = traefikInstances(unit.objects).filter((t) => t.providers !== undefined);
    for (const t of known) {
      const where = { object: t.object, path: t.argsPath };
      for (const f of t.foreignFlags) {
        const own = isV1(t.version) ? '`--kubernetes`' : '`--providers.kubernetesingress`';
        yield { ...where, message: `${t.version.label} (${t.id}) does not know --${f}: it is a ${isV1(t.version) ? '2.x/3.x' : '1.7'} flag and enables no provider here (this version's Ingress provider is ${own})` };
      }
      if ((t.providers ?? []).length === 0) yield { ...where, message: `${t.version.label} (${t.id}) runs without any Kubernetes provider: it routes nothing from the cluster` };
    }
    if (known.length === 0) return;
    const byKind = new Map<ProviderKind, K8sObject[]>();
    for (const r of routeObjects(unit.objects)) {
      const kind = routeProvider(r);
      if (kind) byKind.set(kind, [...(byKind.get(kind) ?? []), r]);
    }
    for (const [kind, routes] of byKind) {
      if (known.some((t) => t.providers?.some((p) => p.kind === kind))) continue;
      const first = routes[0];
      for (const t of known) {
        if ((t.providers ?? []).length === 0) continue; // already reported: no provider at all
        const why = isV1(t.version) && kind !== 'ingress' ? `Traefik 1.7 has no ${PROVIDER_NAME[kind]} provider (${first?.kind ?? ''} is a Traefik 2+ kind)` : `it runs without the ${PROVIDER_NAME[kind]} provider (${flagFor(t, kind)})`;
        yield {
          object: t.object,
          path: t.argsPath,
          message: `${routes.length} ${KIND_WORDS[kind]} object(s) (e.g. ${first?.kind ?? ''} "${first?.name ?? ''}") but ${t.version.label} (${t.id}) does not read them: ${why}; nothing routes them and clients get 404`,
        };
      }
    }
  },
});
