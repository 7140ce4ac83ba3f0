import type { K8sObject } from '../model.js';
import { minorOf } from '../resolve/api-versions.js';
import { PROVIDER_FLAG, PROVIDER_NAME, atLeast, isV1, providerOf, routeObjects, routeProvider, traefikInstances, type ProviderKind, type TraefikInstance, type TraefikVersion } from '../traefik/index.js';
import { defineRule } from './define.js';

const KIND_WORDS: Record<ProviderKind, string> = { ingress: 'Ingress', crd: 'IngressRoute', gateway: 'Gateway API route' };

function flagFor(t: TraefikInstance, kind: ProviderKind): string {
  if (isV1(t.version)) return kind === 'ingress' ? '--kubernetes' : '(none: Traefik 1.7 reads only Ingresses)';
  return `--${PROVIDER_FLAG[kind]}=true`;
}

/**
 * The beta Ingress API a Traefik's Ingress provider lists Ingresses through, for versions that do
 * not know networking.k8s.io/v1 (Kubernetes 1.22 stopped serving both beta APIs:
 * https://kubernetes.io/docs/reference/using-api/deprecation-guide/#ingress-v122). 1.7 lists
 * extensions/v1beta1 ("Failed to list *v1beta1.Ingress … (get ingresses.extensions)" on 1.22:
 * https://github.com/traefik/traefik/issues/8343); 2.0–2.4 the v1beta1 APIs
 * (https://github.com/traefik/traefik/issues/7466); 2.5.0 brought Kubernetes 1.22 support
 * (https://github.com/traefik/traefik-helm-chart/pull/481).
 */
function betaIngressApi(v: TraefikVersion): string | undefined {
  if (isV1(v)) return 'extensions/v1beta1';
  return atLeast(v, 2, 5) ? undefined : 'the v1beta1 Ingress APIs (extensions, networking.k8s.io)';
}

/** First Kubernetes minor release that no longer serves the beta Ingress APIs. */
const BETA_INGRESS_REMOVED = 22;

export default defineRule({
  id: 'traefik-provider',
  description:
    "Each kind of route in the input is read by an enabled provider of a Traefik of the input, in that Traefik's own syntax: Ingress needs `--kubernetes` (1.7) or `--providers.kubernetesingress` (2.x/3.x), IngressRoute needs `--providers.kubernetescrd` (2.x/3.x; 1.7 has no CRD provider), HTTPRoute needs `--providers.kubernetesgateway`. A flag of the other dialect (`--kubernetes` on v3, `--providers.*` on 1.7) enables nothing. On Kubernetes 1.22 and later (`--kubernetes-version`), the Ingress provider of Traefik 1.7 (and 2.0–2.4) routes nothing: it lists Ingresses through extensions/v1beta1 (2.0–2.4: the v1beta1 APIs), which 1.22 no longer serves (https://github.com/traefik/traefik/issues/8343, https://kubernetes.io/docs/reference/using-api/deprecation-guide/#ingress-v122); 2.5 added Kubernetes 1.22 support. Providers: https://doc.traefik.io/traefik/v1.7/configuration/backends/kubernetes/, https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/.",
  remediation: 'Add the provider flag for the routes you use to the Traefik container args, in the syntax of its version (e.g. `--providers.kubernetesingress=true` for Ingress on v3, `--kubernetes` on 1.7), or rewrite the routes into a kind your Traefik reads. On Kubernetes 1.22 or later, run Traefik 3.x (or 2.5 or later) instead of 1.7: its flags are `--providers.kubernetesingress` and `--entryPoints.web.address=:80`.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'DaemonSet', 'StatefulSet', 'Pod', 'Ingress', 'IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'],
  *check({ unit, kubernetesVersion }) {
    const known = traefikInstances(unit.objects).filter((t) => t.providers !== undefined);
    const target = minorOf(kubernetesVersion);
    for (const t of known) {
      const where = { object: t.object, path: t.argsPath };
      for (const f of t.foreignFlags) {
        const own = isV1(t.version) ? '`--kubernetes`' : '`--providers.kubernetesingress`';
        yield { ...where, message: `${t.version.label} (${t.id}) does not know --${f}: it is a ${isV1(t.version) ? '2.x/3.x' : '1.7'} flag and enables no provider here (this version's Ingress provider is ${own})` };
      }
      if ((t.providers ?? []).length === 0) yield { ...where, message: `${t.version.label} (${t.id}) runs without any Kubernetes provider: it routes nothing from the cluster` };
      const beta = betaIngressApi(t.version);
      if (beta !== undefined && providerOf(t, 'ingress') && target !== undefined && target >= BETA_INGRESS_REMOVED) {
        yield {
          object: t.object,
          path: [...t.containerPath, 'image'],
          message: `${t.version.label} (${t.id}) lists Ingresses through ${beta}, which Kubernetes 1.${BETA_INGRESS_REMOVED} stopped serving: on Kubernetes ${kubernetesVersion} its Ingress provider fails to list them and routes nothing; run Traefik 3.x (or 2.5 or later), whose Ingress provider reads networking.k8s.io/v1`,
        };
      }
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
