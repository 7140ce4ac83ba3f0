import { findObject, namespaceOf } from '../k8s.js';
import { ROUTE_KINDS } from '../kinds.js';
import type { K8sObject, Path, RawFinding } from '../model.js';
import { at, isRecord, records, str } from '../read.js';
import { defineRule } from './define.js';

interface Backend {
  name: unknown;
  port: unknown;
  namespace: string;
  path: Path;
  /** Where the port is written (`port.number`, `port.name`, `servicePort` or `port`). */
  portPath: Path;
}

function ingressBackends(o: K8sObject): Backend[] {
  const out: Backend[] = [];
  const ns = namespaceOf(o);
  const add = (b: unknown, path: Path) => {
    if (!isRecord(b)) return;
    if (isRecord(b.service)) {
      const field = at(b.service, 'port', 'number') !== undefined ? 'number' : 'name';
      out.push({ name: b.service.name, port: at(b.service, 'port', field), namespace: ns, path: [...path, 'service'], portPath: [...path, 'service', 'port', field] });
    } else if (b.serviceName !== undefined) out.push({ name: b.serviceName, port: b.servicePort, namespace: ns, path, portPath: [...path, 'servicePort'] });
  };
  add(at(o.data, 'spec', 'defaultBackend') ?? at(o.data, 'spec', 'backend'), ['spec', 'defaultBackend']);
  for (const { value: r, index: i } of records(at(o.data, 'spec', 'rules'))) {
    for (const { value: p, index: j } of records(at(r, 'http', 'paths'))) add(p.backend, ['spec', 'rules', i, 'http', 'paths', j, 'backend']);
  }
  return out;
}

function routeBackends(o: K8sObject): Backend[] {
  const out: Backend[] = [];
  for (const { value: r, index: i } of records(at(o.data, 'spec', 'routes'))) {
    for (const { value: s, index: j } of records(r.services)) {
      if (s.kind !== undefined && s.kind !== 'Service') continue;
      out.push({ name: s.name, port: s.port, namespace: str(s.namespace) ?? namespaceOf(o), path: ['spec', 'routes', i, 'services', j], portPath: ['spec', 'routes', i, 'services', j, 'port'] });
    }
  }
  return out;
}

export default defineRule({
  id: 'ingress-backend',
  description: 'Every Ingress and Traefik IngressRoute backend names an existing Service (in the right namespace) and one of its ports (by number or name).',
  remediation: 'Point the backend at the Service name and a port it exposes (`port.number` equal to a Service `port`, or `port.name` equal to a port name); Ingress backends must be in the Ingress namespace.',
  severity: 'error',
  profiles: ['core'],
  kinds: ROUTE_KINDS,
  *check({ objectsOf }) {
    const services = objectsOf('Service');
    const routes = [...objectsOf('Ingress').map((o) => ({ o, b: ingressBackends(o) })), ...objectsOf('IngressRoute').map((o) => ({ o, b: routeBackends(o) }))];
    for (const { o, b: backends } of routes) {
      for (const b of backends) {
        const f = check(services, o, b);
        if (f) yield f;
      }
    }
  },
});

function check(services: readonly K8sObject[], o: K8sObject, b: Backend): RawFinding | undefined {
  if (typeof b.name !== 'string') return { object: o, path: b.path, message: 'backend without a service name' };
  const svc = findObject(services, 'Service', b.name, b.namespace);
  if (!svc) return { object: o, path: [...b.path, 'name'], message: `backend Service "${b.name}" does not exist in namespace "${b.namespace}"` };
  const ports = records(at(svc.data, 'spec', 'ports')).map(({ value }) => value);
  if (b.port === undefined) return ports.length === 1 ? undefined : { object: o, path: b.path, message: `backend Service "${b.name}" has ${ports.length} ports; say which one` };
  const ok = ports.some((p) => p.port === b.port || (typeof b.port === 'string' && p.name === b.port) || String(p.port) === String(b.port));
  return ok ? undefined : { object: o, path: b.portPath, message: `Service "${b.name}" has no port ${JSON.stringify(b.port)} (it has ${ports.map((p) => String(p.name ?? p.port)).join(', ') || 'none'})` };
}
