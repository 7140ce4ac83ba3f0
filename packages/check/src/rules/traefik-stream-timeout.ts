import type { K8sObject } from '../model.js';
import { at, stringMap, strings } from '../read.js';
import { STREAMS_ANNOTATION, backendsOf, entryPoints, findService, isV1, routeEntryPoints, routeObjects, servedBy, streams, traefikInstances } from '../traefik/index.js';
import { defineRule } from './define.js';

/** Entrypoints a route names: the Ingress annotation or the IngressRoute's entryPoints. */
function namedEntryPoints(route: K8sObject): string[] {
  if (route.kind === 'Ingress') {
    const v = stringMap(at(route.data, 'metadata', 'annotations'))['traefik.ingress.kubernetes.io/router.entrypoints'];
    return (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  }
  return strings(at(route.data, 'spec', 'entryPoints'));
}

export default defineRule({
  id: 'traefik-stream-timeout',
  description: `An entrypoint that routes a long-lived stream (Server-Sent Events) has no read timeout: \`transport.respondingTimeouts.readTimeout\` is a deadline on the whole connection and defaults to 60s in Traefik v3.0+ and v2.11.2+ (https://github.com/traefik/traefik/pull/10602, https://doc.traefik.io/traefik/routing/entrypoints/#respondingtimeouts), so every stream is cut after 60 s (https://github.com/traefik/traefik/issues/10991). A backend streams when its Service has the annotation \`${STREAMS_ANNOTATION}: "true"\`, or is the course's result component (unless annotated "false").`,
  remediation: 'Set `--entryPoints.<name>.transport.respondingTimeouts.readTimeout=0` (no timeout) on the entrypoint the stream goes through, or route the stream through an entrypoint of its own with that setting.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'DaemonSet', 'StatefulSet', 'Pod', 'Ingress', 'IngressRoute', 'Service'],
  *check({ unit }) {
    const routes = routeObjects(unit.objects);
    for (const t of traefikInstances(unit.objects)) {
      if (isV1(t.version) || t.providers === undefined) continue;
      const eps = entryPoints(t.version, t.config);
      const cut = new Map<string, Set<string>>();
      for (const r of routes) {
        if (!servedBy(r, unit.objects).some((s) => s.traefik === t)) continue;
        const streaming = backendsOf(r, unit.objects).filter((b) => {
          const svc = findService(unit.objects, b.service, b.namespace);
          return svc !== undefined && streams(svc);
        });
        if (streaming.length === 0) continue;
        for (const ep of routeEntryPoints(eps, namedEntryPoints(r))) {
          if (ep.readTimeout <= 0 || ep.readTimeout > 60) continue; // 0 = none; raised above the default
          const set = cut.get(ep.name) ?? new Set<string>();
          for (const b of streaming) set.add(`"${b.namespace}/${b.service}" (${r.kind} "${r.name}")`);
          cut.set(ep.name, set);
        }
      }
      for (const [name, services] of cut) {
        const ep = eps.find((e) => e.name === name);
        const timeout = ep ? `${ep.readTimeout}s${ep.readTimeoutDefault ? ` (the ${t.version.label} default)` : ''}` : '';
        yield {
          object: t.object,
          path: t.argsPath,
          message: `entrypoint "${name}" of ${t.version.label} (${t.id}) routes the long-lived stream(s) ${[...services].join(', ')} with readTimeout ${timeout}: each connection is cut after that, so every Server-Sent Events stream ends and clients reconnect; set --entryPoints.${name}.transport.respondingTimeouts.readTimeout=0`,
        };
      }
    }
  },
});
