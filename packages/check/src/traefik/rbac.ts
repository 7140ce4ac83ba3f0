/**
 * The RBAC each enabled provider needs, per version, and what the bindings of the input grant.
 *
 * Every provider starts one informer per resource and waits for all caches to sync before it
 * produces any configuration; a forbidden list keeps that cache unsynced, so the provider never
 * serves a route (the v3 client returns only after WaitForCacheSync:
 * https://github.com/traefik/traefik/blob/v3.4/pkg/provider/kubernetes/crd/client.go; reported
 * for configmaps in https://github.com/traefik/traefik/issues/11739 and for CRD kinds in
 * https://github.com/traefik/traefik-helm-chart/issues/870). So every list/watch below is needed
 * for the provider to sync at all.
 *
 * - 1.7 (https://doc.traefik.io/traefik/v1.7/user-guide/kubernetes/#role-based-access-control-configuration-kubernetes-16-only):
 *   services, endpoints, secrets; ingresses.
 * - 2.x/3.0 (https://doc.traefik.io/traefik/v2.11/reference/dynamic-configuration/kubernetes-crd/#rbac):
 *   services, endpoints, secrets; Ingress provider: ingresses + ingressclasses (IngressClass support
 *   starts with 2.3: https://github.com/traefik/traefik-helm-chart/blob/master/traefik/templates/ingressclass.yaml);
 *   CRD provider: the Traefik kinds of its group(s).
 * - 3.1+: endpointslices instead of endpoints, and nodes unless disableClusterScopeResources
 *   (https://doc.traefik.io/traefik/migration/v3/#v30-to-v31).
 * - 3.4+: the CRD provider also watches configmaps (ServersTransport rootCAs)
 *   (https://doc.traefik.io/traefik/migration/v3/#v33-to-v34,
 *   https://github.com/traefik/traefik/blob/v3.4/docs/content/reference/dynamic-configuration/kubernetes-crd-rbac.yml).
 * - Gateway provider: namespaces, services, secrets, endpoint(slice)s, gatewayclasses, gateways,
 *   httproutes, referencegrants; grpcroutes from 3.2
 *   (https://github.com/traefik/traefik/blob/v3.4/docs/content/reference/dynamic-configuration/kubernetes-gateway-rbac.yml,
 *   https://doc.traefik.io/traefik/migration/v3/#v31-to-v32).
 */
import type { K8sObject } from '../model.js';
import { at, records, str, strings } from '../read.js';
import { CRD_KINDS, crdGroups, crdKinds } from './crds.js';
import type { TraefikInstance } from './instances.js';
import type { Provider } from './providers.js';
import { atLeast, isV1, type TraefikVersion } from './version.js';

export interface Need {
  readonly groups: readonly string[];
  /** The resource (RBAC plural). */
  readonly resource: string;
  readonly verbs: readonly string[];
  /** A cluster-scoped resource: only a ClusterRoleBinding can grant it. */
  readonly clusterScoped: boolean;
}

const WATCH = ['list', 'watch'];
const need = (groups: string[], resource: string, clusterScoped = false): Need => ({ groups, resource, verbs: WATCH, clusterScoped });

function endpointNeed(v: TraefikVersion): Need {
  return atLeast(v, 3, 1) ? need(['discovery.k8s.io'], 'endpointslices') : need([''], 'endpoints');
}

/** What the provider lists and watches in this version. */
export function needsOf(v: TraefikVersion, p: Provider): Need[] {
  const core = [need([''], 'services'), endpointNeed(v), need([''], 'secrets')];
  const nodes = atLeast(v, 3, 1) && !p.noClusterScope ? [need([''], 'nodes', true)] : [];
  if (isV1(v)) return [...core, need(['extensions', 'networking.k8s.io'], 'ingresses')];
  if (p.kind === 'ingress') {
    const classes = atLeast(v, 2, 3) && !p.noIngressClassLookup ? [need(['networking.k8s.io'], 'ingressclasses', true)] : [];
    return [...core, need(['networking.k8s.io', 'extensions'], 'ingresses'), ...classes, ...nodes];
  }
  if (p.kind === 'crd') {
    const groups = crdGroups(v);
    const kinds = crdKinds(v).map((k) => need(groups, CRD_KINDS[k] ?? k));
    const configmaps = atLeast(v, 3, 4) ? [need([''], 'configmaps')] : [];
    return [...core, ...configmaps, ...nodes, ...kinds];
  }
  const gw = ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants', ...(atLeast(v, 3, 2) ? ['grpcroutes'] : [])];
  return [need([''], 'namespaces', true), ...core, ...nodes, ...gw.map((r) => need(['gateway.networking.k8s.io'], r, r === 'gatewayclasses'))];
}

interface Grant {
  readonly rule: Readonly<Record<string, unknown>>;
  /** Undefined: cluster-wide (ClusterRoleBinding); otherwise the RoleBinding's namespace. */
  readonly namespace: string | undefined;
}

export interface Grants {
  readonly grants: readonly Grant[];
  /** A binding of the ServiceAccount refers to a role that is not in the input: grants unknown. */
  readonly incomplete: boolean;
}

/** The rules granted to a ServiceAccount by the bindings of the input. */
export function grantsOf(objects: readonly K8sObject[], serviceAccount: string, namespace: string): Grants {
  const grants: Grant[] = [];
  let incomplete = false;
  for (const b of objects) {
    if (b.kind !== 'ClusterRoleBinding' && b.kind !== 'RoleBinding') continue;
    const bindingNs = b.namespace ?? 'default';
    const bound = records(at(b.data, 'subjects')).some(
      ({ value: s }) => s.kind === 'ServiceAccount' && s.name === serviceAccount && (str(s.namespace) ?? bindingNs) === namespace,
    );
    if (!bound) continue;
    const refKind = str(at(b.data, 'roleRef', 'kind'));
    const refName = str(at(b.data, 'roleRef', 'name'));
    const role = objects.find((o) => o.kind === refKind && o.name === refName && (o.kind === 'ClusterRole' || (o.namespace ?? 'default') === bindingNs));
    if (!role) {
      incomplete = true;
      continue;
    }
    // An aggregated ClusterRole gets its rules from others at run time: treat as unknown.
    if (at(role.data, 'aggregationRule') !== undefined) incomplete = true;
    const scope = b.kind === 'ClusterRoleBinding' ? undefined : bindingNs;
    for (const { value: rule } of records(at(role.data, 'rules'))) grants.push({ rule, namespace: scope });
  }
  return { grants, incomplete };
}

function ruleGrants(rule: Readonly<Record<string, unknown>>, n: Need): boolean {
  const groups = strings(rule.apiGroups);
  const resources = strings(rule.resources);
  const verbs = strings(rule.verbs);
  if (strings(rule.resourceNames).length > 0) return false; // a list/watch cannot be limited to names
  return (
    (groups.includes('*') || n.groups.some((g) => groups.includes(g))) &&
    (resources.includes('*') || resources.includes(n.resource)) &&
    n.verbs.every((v) => verbs.includes('*') || verbs.includes(v))
  );
}

/**
 * Whether the grants cover the need where the provider lists: cluster-wide when it watches all
 * namespaces (a RoleBinding does not allow a cluster-wide list), in each watched namespace otherwise.
 */
export function covered(g: Grants, n: Need, p: Provider): boolean {
  const clusterWide = g.grants.some((x) => x.namespace === undefined && ruleGrants(x.rule, n));
  if (clusterWide) return true;
  if (n.clusterScoped || p.namespaces.length === 0) return false;
  return p.namespaces.every((ns) => g.grants.some((x) => x.namespace === ns && ruleGrants(x.rule, n)));
}

export interface Missing {
  readonly provider: Provider;
  readonly needs: readonly Need[];
}

/** Per enabled provider, the needs the input's RBAC does not cover; undefined when the RBAC is not fully in the input. */
export function missingRbac(t: TraefikInstance, objects: readonly K8sObject[]): Missing[] | undefined {
  const g = grantsOf(objects, t.serviceAccount, t.namespace);
  if (g.incomplete) return undefined;
  return (t.providers ?? []).flatMap((provider) => {
    const needs = needsOf(t.version, provider).filter((n) => !covered(g, n, provider));
    return needs.length > 0 ? [{ provider, needs }] : [];
  });
}
