import { byKind, findObject, isRecord, namespaceOf, type Any } from '../k8s.js';
import type { K8sObject, Path, RawFinding } from '../model.js';
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
  const add = (b: Any, path: Path) => {
    if (!isRecord(b)) return;
    if (isRecord(b.service)) {
      const field = b.service.port?.number !== undefined ? 'number' : 'name';
      out.push({ name: b.service.name, port: b.service.port?.[field], namespace: ns, path: [...path, 'service'], portPath: [...path, 'service', 'port', field] });
    } else if (b.serviceName !== undefined) out.push({ name: b.serviceName, port: b.servicePort, namespace: ns, path, portPath: [...path, 'servicePort'] });
  };
  add(o.data?.spec?.defaultBackend ?? o.data?.spec?.backend, ['spec', 'defaultBackend']);
  const rules: unknown[] = Array.isArray(o.data?.spec?.rules) ? o.data.spec.rules : [];
  rules.forEach((r, i) => {
    const paths: unknown[] = isRecord(r) && Array.isArray(r.http?.paths) ? r.http.paths : [];
    paths.forEach((p, j) => isRecord(p) && add(p.backend, ['spec', 'rules', i, 'http', 'paths', j, 'backend']));
  });
  return out;
}

function routeBackends(o: K8sObject): Backend[] {
  const out: Backend[] = [];
  const routes: unknown[] = Array.isArray(o.data?.spec?.routes) ? o.data.spec.routes : [];
  routes.forEach((r, i) => {
    const services: unknown[] = isRecord(r) && Array.isArray(r.services) ? r.services : [];
    services.forEach((s, j) => {
      if (!isRecord(s) || (s.kind !== undefined && s.kind !== 'Service')) return;
      out.push({ name: s.name, port: s.port, namespace: typeof s.namespace === 'string' ? s.namespace : namespaceOf(o), path: ['spec', 'routes', i, 'services', j], portPath: ['spec', 'routes', i, 'services', j, 'port'] });
    });
  });
  return out;
}

export default defineRule({
  id: 'ingress-backend',
  description: 'Every Ingress and Traefik IngressRoute backend names an existing Service (in the right namespace) and one of its ports (by number or name).',
  remediation: 'Point the backend at the Service name and a port it exposes (`port.number` equal to a Service `port`, or `port.name` equal to a port name); Ingress backends must be in the Ingress namespace.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Ingress', 'IngressRoute'],
  *check({ unit }) {
    const routes = [...byKind(unit.objects, 'Ingress').map((o) => ({ o, b: ingressBackends(o) })), ...byKind(unit.objects, 'IngressRoute').map((o) => ({ o, b: routeBackends(o) }))];
    for (const { o, b: backends } of routes) {
      for (const b of backends) {
        const f: RawFinding | undefined = check(unit.objects, o, b);
        if (f) yield f;
      }
    }
  },
});

function check(objects: readonly K8sObject[], o: K8sObject, b: Backend): RawFinding | undefined {
  if (typeof b.name !== 'string') return { object: o, path: b.path, message: 'backend without a service name' };
  const svc = findObject(objects, 'Service', b.name, b.namespace);
  if (!svc) return { object: o, path: [...b.path, 'name'], message: `backend Service "${b.name}" does not exist in namespace "${b.namespace}"` };
  const ports: Any[] = Array.isArray(svc.data?.spec?.ports) ? svc.data.spec.ports.filter(isRecord) : [];
  if (b.port === undefined) return ports.length === 1 ? undefined : { object: o, path: b.path, message: `backend Service "${b.name}" has ${ports.length} ports; say which one` };
  const ok = ports.some((p) => p.port === b.port || (typeof b.port === 'string' && p.name === b.port) || String(p.port) === String(b.port));
  return ok ? undefined : { object: o, path: b.portPath, message: `Service "${b.name}" has no port ${JSON.stringify(b.port)} (it has ${ports.map((p) => p.name ?? p.port).join(', ') || 'none'})` };
}
