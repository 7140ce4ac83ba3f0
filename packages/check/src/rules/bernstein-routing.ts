import { componentOf, TABLE } from '../bernstein.js';
import type { K8sObject } from '../model.js';
import { at, str, stringMap } from '../read.js';
import { backendsOf, CLASS_ANNOTATION, ingressClasses, PROVIDER_NAME, providerOf, routeObjects, routeProvider, servedBy, traefikInstances, verdict } from '../traefik/index.js';
import { defineRule } from './define.js';

interface Route {
  readonly object: K8sObject;
  readonly host: string;
  readonly service: string;
}

function routes(objects: readonly K8sObject[]): Route[] {
  return routeObjects(objects)
    .filter((o) => routeProvider(o) !== 'gateway')
    .flatMap((o) => backendsOf(o, objects).flatMap((b) => b.hosts.map((host) => ({ object: o, host, service: b.service }))));
}

/**
 * Why no Traefik serves the route, or undefined when one does. With Traefiks in the input, their
 * provider model decides (an Ingress without a class IS served by a provider without a class
 * filter); without any, only an explicit class of another controller rules Traefik out.
 */
function notServedReason(route: K8sObject, objects: readonly K8sObject[]): string | undefined {
  const kind = routeProvider(route);
  const instances = traefikInstances(objects);
  const known = instances.filter((t) => t.providers !== undefined);
  // Without a Traefik whose configuration is known, or with one whose configuration is not,
  // only an explicit class of another controller rules Traefik out.
  if (known.length === 0 || known.length < instances.length || kind === undefined) {
    if (route.kind !== 'Ingress') return undefined;
    const cls = str(at(route.data, 'spec', 'ingressClassName')) ?? stringMap(at(route.data, 'metadata', 'annotations'))[CLASS_ANNOTATION];
    return cls === undefined || cls === '' || cls.includes('traefik') ? undefined : `its class "${cls}" is not Traefik's`;
  }
  if (servedBy(route, objects).length > 0) return undefined;
  const classes = ingressClasses(objects);
  const reasons = known.map((t) => {
    const p = providerOf(t, kind);
    return `${t.version.label} (${t.id}) ${p ? `ignores it: ${verdict(t, p, route, classes).reason}` : `runs no ${PROVIDER_NAME[kind]} provider`}`;
  });
  return reasons.join('; ');
}

export default defineRule({
  id: 'bernstein-routing',
  description:
    "Traefik routes host `poll.dop.io` to the poll Service and `result.dop.io` to the result Service (Ingress or IngressRoute served by a Traefik of the input, as traefik-ingress-class decides per version: an Ingress without a class is served by a Kubernetes Ingress provider without a class filter); redis, postgres and worker are not routed.",
  remediation:
    'Add an Ingress per host with a rule `host: poll.dop.io` (resp. `result.dop.io`) whose backend is the poll (resp. result) Service on port 80, with no class (one Traefik without a class filter) or with `ingressClassName` naming an IngressClass of controller `traefik.io/ingress-controller`; remove routes to the databases.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Ingress', 'IngressRoute'],
  reportsAbsence: true,
  *check({ unit, objectsOf }) {
    if (unit.objects.length === 0) return;
    const all = routes(unit.objects);
    const services = objectsOf('Service');
    const componentOfService = (name: string) => {
      const s = services.find((x) => x.name === name);
      return s ? componentOf(s) : undefined;
    };
    for (const c of ['poll', 'result'] as const) {
      const host = TABLE[c].host ?? '';
      const r = all.filter((x) => x.host === host);
      if (r.length === 0) yield { file: unit.root, message: `no route for host ${host}` };
      for (const x of r) {
        if (componentOfService(x.service) !== c) {
          yield { object: x.object, path: ['spec'], message: `host ${host} is routed to Service "${x.service}", not to the ${c} Service` };
          continue;
        }
        const why = notServedReason(x.object, unit.objects);
        if (why !== undefined) yield { object: x.object, path: ['spec'], message: `the route for ${host} (${x.object.kind} "${x.object.name}") is served by no Traefik: ${why}` };
      }
    }
    for (const x of all) {
      const c = componentOfService(x.service);
      if (c === 'redis' || c === 'postgres' || c === 'worker') yield { object: x.object, path: ['spec'], message: `${c} must not be routed by Traefik (host ${x.host || '*'})` };
    }
  },
});
