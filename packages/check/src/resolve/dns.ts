/**
 * What a host name written in a pod's environment reaches, as cluster DNS resolves it
 * (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/): a bare name is a
 * Service of the pod's own namespace; `name.ns`, `name.ns.svc` and `name.ns.svc.cluster.local`
 * a Service of namespace `ns` (the pod's search path is `<ns>.svc.cluster.local svc.cluster.local
 * cluster.local`); `pod.name.ns.svc…` a pod behind a headless Service. Anything else with a dot
 * is left to upstream DNS: an external host.
 */

export type HostTarget =
  | { readonly kind: 'empty' }
  | { readonly kind: 'loopback' }
  | { readonly kind: 'ip' }
  | { readonly kind: 'external' }
  /** A `$(VAR)` reference or another value the checker cannot resolve. */
  | { readonly kind: 'unresolved' }
  | { readonly kind: 'service'; readonly name: string; readonly namespace: string; readonly qualified: boolean };

const LOOPBACK = new Set(['localhost', 'localhost.localdomain', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^\[?[0-9a-f:]+\]?$/i;
/** The cluster domain is `cluster.local` unless the cluster was set up otherwise. */
const SVC_SUFFIX = /\.svc(\.cluster\.local)?\.?$/;

export function classifyHost(raw: string, ownNamespace: string, knownNamespaces: ReadonlySet<string>): HostTarget {
  const host = raw.trim().toLowerCase();
  if (host === '') return { kind: 'empty' };
  if (host.includes('$(') || host.includes('${')) return { kind: 'unresolved' };
  if (LOOPBACK.has(host) || host.startsWith('127.')) return { kind: 'loopback' };
  if (IPV4.test(host) || (host.includes(':') && IPV6.test(host))) return { kind: 'ip' };
  if (SVC_SUFFIX.test(host)) {
    const parts = host.replace(SVC_SUFFIX, '').split('.');
    // name.ns.svc, or pod.name.ns.svc (a pod of a headless Service)
    const ns = parts[parts.length - 1];
    const name = parts[parts.length - 2];
    if (parts.length >= 2 && parts.length <= 3 && ns && name) return { kind: 'service', name, namespace: ns, qualified: true };
    return { kind: 'external' };
  }
  const parts = host.replace(/\.$/, '').split('.');
  if (parts.length === 1 && parts[0]) return { kind: 'service', name: parts[0], namespace: ownNamespace, qualified: false };
  // `name.ns` goes through the search path only when ns is a namespace; otherwise it is a
  // domain name (`db.example.com`).
  if (parts.length === 2 && parts[0] && parts[1] && knownNamespaces.has(parts[1])) return { kind: 'service', name: parts[0], namespace: parts[1], qualified: true };
  return { kind: 'external' };
}
