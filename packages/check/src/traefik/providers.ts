/**
 * Which Kubernetes providers a Traefik enables, per version, and the options that decide what
 * they serve and what they need.
 *
 * - 1.7: `--kubernetes` (Ingress only), `--kubernetes.ingressClass`, `--kubernetes.namespaces`
 *   (https://doc.traefik.io/traefik/v1.7/configuration/backends/kubernetes/).
 * - 2.x/3.x: `--providers.kubernetesingress`, `--providers.kubernetescrd`,
 *   `--providers.kubernetesgateway` (3.0 and earlier also `--experimental.kubernetesgateway`)
 *   (https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/,
 *   .../kubernetes-crd/, https://doc.traefik.io/traefik/migration/v3/#v30-to-v31).
 */
import { flag, isSet, valueOf, type StaticConfig } from './static-config.js';
import { atLeast, isV1, type TraefikVersion } from './version.js';

export type ProviderKind = 'ingress' | 'crd' | 'gateway';

export const PROVIDER_FLAG: Record<ProviderKind, string> = {
  ingress: 'providers.kubernetesingress',
  crd: 'providers.kubernetescrd',
  gateway: 'providers.kubernetesgateway',
};
export const PROVIDER_NAME: Record<ProviderKind, string> = { ingress: 'kubernetesingress', crd: 'kubernetescrd', gateway: 'kubernetesgateway' };

export interface Provider {
  readonly kind: ProviderKind;
  /** The ingressClass filter ('' when none). */
  readonly ingressClass: string;
  /** Namespaces watched ([] = all, which needs cluster-wide list/watch). */
  readonly namespaces: readonly string[];
  /** Routes to a Service without ready endpoints are kept and answer 503 (2.x/3.x option). */
  readonly allowEmptyServices: boolean;
  /** No IngressClass/Node lookup (3.1.1+ disableClusterScopeResources, 2.x/3.0 disableIngressClassLookup). */
  readonly noClusterScope: boolean;
  readonly noIngressClassLookup: boolean;
  /** Ingress status is written (ingressEndpoint.* set), which needs update on ingresses/status. */
  readonly publishesStatus: boolean;
}

function enabled(cfg: StaticConfig, key: string): boolean {
  return isSet(cfg, key) && valueOf(cfg, key)?.toLowerCase() !== 'false';
}

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
}

function options(cfg: StaticConfig, kind: ProviderKind, key: string): Provider {
  const noClusterScope = flag(cfg, `${key}.disableclusterscoperesources`);
  return {
    kind,
    ingressClass: valueOf(cfg, `${key}.ingressclass`) ?? '',
    namespaces: list(valueOf(cfg, `${key}.namespaces`)),
    allowEmptyServices: flag(cfg, `${key}.allowemptyservices`),
    noClusterScope,
    noIngressClassLookup: noClusterScope || flag(cfg, `${key}.disableingressclasslookup`),
    publishesStatus: isSet(cfg, `${key}.ingressendpoint`),
  };
}

/** The Kubernetes providers the configuration enables. */
export function providersOf(version: TraefikVersion, cfg: StaticConfig): Provider[] {
  if (isV1(version)) return enabled(cfg, 'kubernetes') ? [options(cfg, 'ingress', 'kubernetes')] : [];
  const out: Provider[] = [];
  for (const kind of ['ingress', 'crd', 'gateway'] as const) {
    const key = PROVIDER_FLAG[kind];
    // Before 3.1 the Gateway provider also needed --experimental.kubernetesgateway.
    const on = enabled(cfg, key) && (kind !== 'gateway' || atLeast(version, 3, 1) || flag(cfg, 'experimental.kubernetesgateway'));
    if (on) out.push(options(cfg, kind, key));
  }
  return out;
}

/**
 * Flags of the other dialect: a 2.x/3.x flag given to 1.7 or a 1.7 flag given to 2.x/3.x. Traefik
 * does not read them as a provider (the provider stays off).
 */
export function foreignProviderFlags(version: TraefikVersion, cfg: StaticConfig): string[] {
  const keys = [...cfg.values.keys()];
  const pattern = isV1(version) ? /^(providers\.kubernetes(?:ingress|crd|gateway))(?:\.|$)/ : /^(kubernetes)(?:\.|$)/;
  return [...new Set(keys.flatMap((k) => pattern.exec(k)?.[1] ?? []))];
}
