import { componentOf, TABLE } from '../bernstein.js';
import { annotationsOf, byKind } from '../k8s.js';
import { at, records, str } from '../read.js';
import type { K8sObject } from '../model.js';
import { defineRule } from './define.js';

interface Route {
  readonly object: K8sObject;
  readonly host: string;
  readonly service: string;
}

function viaTraefik(o: K8sObject): boolean {
  if (o.kind === 'IngressRoute') return true;
  const cls = at(o.data, 'spec', 'ingressClassName') ?? annotationsOf(o)['kubernetes.io/ingress.class'];
  return typeof cls === 'string' && cls.includes('traefik');
}

function routes(objects: readonly K8sObject[]): Route[] {
  const out: Route[] = [];
  for (const o of byKind(objects, 'Ingress')) {
    for (const { value: r } of records(at(o.data, 'spec', 'rules'))) {
      for (const p of records(at(r, 'http', 'paths')).map(({ value }) => value)) {
        const name = at(p, 'backend', 'service', 'name') ?? at(p, 'backend', 'serviceName');
        if (typeof name === 'string') out.push({ object: o, host: String(r.host ?? ''), service: name });
      }
    }
  }
  for (const o of byKind(objects, 'IngressRoute')) {
    for (const { value: r } of records(at(o.data, 'spec', 'routes'))) {
      const hosts = [...(str(r.match) ?? '').matchAll(/Host\(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').split(',').map((h) => h.trim().replace(/^[`"']|[`"']$/g, '')));
      for (const { value: s } of records(r.services)) for (const host of hosts) if (typeof s.name === 'string') out.push({ object: o, host, service: s.name });
    }
  }
  return out;
}

export default defineRule({
  id: 'bernstein-routing',
  description: 'Traefik routes host `poll.dop.io` to the poll Service and `result.dop.io` to the result Service (Ingress with the traefik ingress class, or IngressRoute); redis, postgres and worker are not routed.',
  remediation: 'Add an Ingress (`ingressClassName: traefik`) per host with a rule `host: poll.dop.io` (resp. `result.dop.io`) whose backend is the poll (resp. result) Service on port 80; remove routes to the databases.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Ingress', 'IngressRoute'],
  *check({ unit }) {
    if (unit.objects.length === 0) return;
    const all = routes(unit.objects);
    const services = byKind(unit.objects, 'Service');
    const componentOfService = (name: string) => {
      const s = services.find((x) => x.name === name);
      return s ? componentOf(s) : undefined;
    };
    for (const c of ['poll', 'result'] as const) {
      const host = TABLE[c].host ?? '';
      const r = all.filter((x) => x.host === host);
      if (r.length === 0) yield { file: unit.root, message: `no route for host ${host}` };
      for (const x of r) {
        if (componentOfService(x.service) !== c) yield { object: x.object, path: ['spec'], message: `host ${host} is routed to Service "${x.service}", not to the ${c} Service` };
        else if (!viaTraefik(x.object)) yield { object: x.object, path: ['spec'], message: `the route for ${host} is not handled by Traefik (set ingressClassName: traefik)` };
      }
    }
    for (const x of all) {
      const c = componentOfService(x.service);
      if (c === 'redis' || c === 'postgres' || c === 'worker') yield { object: x.object, path: ['spec'], message: `${c} must not be routed by Traefik (host ${x.host || '*'})` };
    }
  },
});
