/** Routes of every kind Traefik reads, their backends, and which Traefik serves each. */
import type { K8sObject, Path } from '../model.js';
import { at, records, str, stringMap, strings } from '../read.js';
import { CLASS_ANNOTATION, ingressClasses, ingressVerdict, type IngressClassInfo, type Verdict } from './classes.js';
import { CRD_ROUTE_KINDS, crdGroups, traefikGroupOf } from './crds.js';
import { providerOf, traefikInstances, type TraefikInstance } from './instances.js';
import type { Provider, ProviderKind } from './providers.js';

const GATEWAY_ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute'];

/** The provider kind that reads this object as a route, if any. */
export function routeProvider(o: K8sObject): ProviderKind | undefined {
  const group = o.apiVersion.split('/')[0] ?? '';
  if (o.kind === 'Ingress' && (group === 'networking.k8s.io' || group === 'extensions')) return 'ingress';
  if (CRD_ROUTE_KINDS.includes(o.kind) && traefikGroupOf(o.apiVersion, o.kind)) return 'crd';
  if (GATEWAY_ROUTE_KINDS.includes(o.kind) && group === 'gateway.networking.k8s.io') return 'gateway';
  return undefined;
}

export function routeObjects(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter((o) => routeProvider(o) !== undefined);
}

export interface Backend {
  readonly service: string;
  readonly namespace: string;
  readonly path: Path;
  /** Hosts of the rule the backend belongs to ('' for any host). */
  readonly hosts: readonly string[];
}

function hostsOfMatch(match: string): string[] {
  return [...match.matchAll(/Host\(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').split(',').map((h) => h.trim().replace(/^[`"']|[`"']$/g, '')));
}

/** Services a route sends traffic to (TraefikService references resolved one level, when in the input). */
export function backendsOf(o: K8sObject, objects: readonly K8sObject[]): Backend[] {
  const namespace = o.namespace ?? 'default';
  const out: Backend[] = [];
  if (o.kind === 'Ingress') {
    const def = str(at(o.data, 'spec', 'defaultBackend', 'service', 'name')) ?? str(at(o.data, 'spec', 'backend', 'serviceName'));
    if (def !== undefined) out.push({ service: def, namespace, path: ['spec', 'defaultBackend'], hosts: [''] });
    for (const { value: rule, index: r } of records(at(o.data, 'spec', 'rules'))) {
      for (const { value: p, index: i } of records(at(rule, 'http', 'paths'))) {
        const name = str(at(p, 'backend', 'service', 'name')) ?? str(at(p, 'backend', 'serviceName'));
        if (name !== undefined) out.push({ service: name, namespace, path: ['spec', 'rules', r, 'http', 'paths', i, 'backend'], hosts: [str(rule.host) ?? ''] });
      }
    }
    return out;
  }
  if (routeProvider(o) === 'crd') {
    for (const { value: route, index: r } of records(at(o.data, 'spec', 'routes'))) {
      const hosts = hostsOfMatch(str(route.match) ?? '');
      for (const { value: s, index: i } of records(route.services)) {
        const name = str(s.name);
        if (name === undefined) continue;
        const ns = str(s.namespace) ?? namespace;
        const path: Path = ['spec', 'routes', r, 'services', i];
        if (s.kind === 'TraefikService') {
          const ts = objects.find((x) => x.kind === 'TraefikService' && x.name === name && (x.namespace ?? 'default') === ns);
          for (const { value: w } of [...records(at(ts?.data, 'spec', 'weighted', 'services')), ...records(at(ts?.data, 'spec', 'mirroring', 'mirrors'))]) {
            const wn = str(w.name);
            if (wn !== undefined && w.kind !== 'TraefikService') out.push({ service: wn, namespace: str(w.namespace) ?? ns, path, hosts });
          }
          const main = str(at(ts?.data, 'spec', 'mirroring', 'name'));
          if (main !== undefined) out.push({ service: main, namespace: ns, path, hosts });
        } else out.push({ service: name, namespace: ns, path, hosts });
      }
    }
    return out;
  }
  for (const { value: rule, index: r } of records(at(o.data, 'spec', 'rules'))) {
    const names = strings(at(o.data, 'spec', 'hostnames'));
    const hosts = names.length > 0 ? names : [''];
    for (const { value: ref, index: i } of records(rule.backendRefs)) {
      const name = str(ref.name);
      if (name !== undefined && (ref.kind === undefined || ref.kind === 'Service')) out.push({ service: name, namespace: str(ref.namespace) ?? namespace, path: ['spec', 'rules', r, 'backendRefs', i], hosts });
    }
  }
  return out;
}

/** Whether a Traefik's provider serves a route of its kind. */
export function verdict(t: TraefikInstance, provider: Provider, route: K8sObject, classes: readonly IngressClassInfo[]): Verdict {
  if (provider.kind === 'ingress') return ingressVerdict(t, provider, route, classes);
  const ns = route.namespace ?? 'default';
  if (provider.namespaces.length > 0 && !provider.namespaces.includes(ns)) return { serves: false, reason: `it watches only namespaces ${provider.namespaces.join(', ')}` };
  if (provider.kind === 'crd') {
    const group = traefikGroupOf(route.apiVersion, route.kind) ?? '';
    if (!crdGroups(t.version).includes(group)) return { serves: false, reason: `${t.version.label} does not read the ${group} API group` };
    const annotation = stringMap(at(route.data, 'metadata', 'annotations'))[CLASS_ANNOTATION];
    const ok = provider.ingressClass !== '' ? annotation === provider.ingressClass : annotation === undefined || annotation === '' || annotation === 'traefik';
    if (!ok) return { serves: false, reason: `its CRD provider runs with ingressClass "${provider.ingressClass}" (annotation ${annotation ?? 'absent'})` };
  }
  return { serves: true, reason: `${provider.kind} provider` };
}

export interface Serving {
  readonly traefik: TraefikInstance;
  readonly provider: Provider;
}

/** The Traefiks of the input that serve the route (only those whose configuration is known). */
export function servedBy(route: K8sObject, objects: readonly K8sObject[]): Serving[] {
  const kind = routeProvider(route);
  if (kind === undefined) return [];
  const classes = ingressClasses(objects);
  return traefikInstances(objects).flatMap((traefik) => {
    const provider = providerOf(traefik, kind);
    return provider && verdict(traefik, provider, route, classes).serves ? [{ traefik, provider }] : [];
  });
}
