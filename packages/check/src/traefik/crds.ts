/**
 * Traefik's custom resources per version: the API group the CRD provider watches and the kinds
 * it lists (it waits for every one of them).
 *
 * - 2.0–2.9: group traefik.containo.us. 2.0 kinds: IngressRoute, IngressRouteTCP, Middleware,
 *   TLSOption; TraefikService from 2.1 (https://doc.traefik.io/traefik/v2.11/migration/v2/#v20-to-v21).
 * - 2.10–2.11: traefik.io introduced next to the deprecated traefik.containo.us; the documented
 *   RBAC grants both groups the ten v2.10 kinds (same page, RBAC of v2.10).
 * - 3.x: traefik.io only (the v3 client watches only traefik.io/v1alpha1:
 *   https://github.com/traefik/traefik/blob/v3.4/pkg/provider/kubernetes/crd/client.go), plus
 *   ServersTransportTCP (https://doc.traefik.io/traefik/migration/v2-to-v3-details/#traefik-rbac-update).
 */
import { atLeast, isV1, type TraefikVersion } from './version.js';

export const GROUP_V3 = 'traefik.io';
export const GROUP_V2 = 'traefik.containo.us';

/** Kind → plural (the CRD name is `<plural>.<group>`, the RBAC resource is the plural). */
export const CRD_KINDS: Readonly<Record<string, string>> = {
  IngressRoute: 'ingressroutes',
  IngressRouteTCP: 'ingressroutetcps',
  IngressRouteUDP: 'ingressrouteudps',
  Middleware: 'middlewares',
  MiddlewareTCP: 'middlewaretcps',
  TLSOption: 'tlsoptions',
  TLSStore: 'tlsstores',
  TraefikService: 'traefikservices',
  ServersTransport: 'serverstransports',
  ServersTransportTCP: 'serverstransporttcps',
};

/** Route kinds of the CRD provider (the others configure routes). */
export const CRD_ROUTE_KINDS = ['IngressRoute', 'IngressRouteTCP', 'IngressRouteUDP'];

const V2_0 = ['IngressRoute', 'IngressRouteTCP', 'Middleware', 'TLSOption'];
const V2_10 = [...V2_0, 'TraefikService', 'IngressRouteUDP', 'TLSStore', 'ServersTransport', 'MiddlewareTCP'];
const V3 = [...V2_10, 'ServersTransportTCP'];

/** The groups a version's CRD provider reads ([] for 1.7, which has no CRD provider). */
export function crdGroups(v: TraefikVersion): string[] {
  if (isV1(v)) return [];
  if (v.major >= 3) return [GROUP_V3];
  return atLeast(v, 2, 10) ? [GROUP_V3, GROUP_V2] : [GROUP_V2];
}

/** The kinds a version's CRD provider lists. */
export function crdKinds(v: TraefikVersion): string[] {
  if (isV1(v)) return [];
  if (v.major >= 3) return V3;
  if (atLeast(v, 2, 10)) return V2_10;
  return atLeast(v, 2, 1) ? [...V2_0, 'TraefikService'] : V2_0;
}

/** The group of a Traefik custom resource's apiVersion, or undefined when it is not one. */
export function traefikGroupOf(apiVersion: string, kind: string): string | undefined {
  const group = apiVersion.split('/')[0] ?? '';
  return (group === GROUP_V3 || group === GROUP_V2) && kind in CRD_KINDS ? group : undefined;
}
