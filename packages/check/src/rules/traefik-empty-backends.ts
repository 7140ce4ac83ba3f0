import { PROVIDER_FLAG, PROVIDER_NAME, backendsOf, findService, hasReadinessProbe, isV1, routeObjects, servedBy, traefikInstances, workloadsBehind } from '../traefik/index.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'traefik-empty-backends',
  description:
    "A 2.x/3.x Traefik routing to Services whose pods have a readiness probe runs its Kubernetes provider with `allowEmptyServices=true` (default false: https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/). Without it, when every pod is unready Traefik drops the route and clients get 404, as if the site did not exist (https://github.com/traefik/traefik/issues/9242), instead of a 503 Service Unavailable that tells them to retry.",
  remediation: 'Add `--providers.kubernetesingress.allowEmptyServices=true` (and `--providers.kubernetescrd.allowEmptyServices=true` for IngressRoutes) to the Traefik args.',
  severity: 'warning',
  profiles: ['production'],
  kinds: ['Deployment', 'DaemonSet', 'StatefulSet', 'Pod', 'Ingress', 'IngressRoute', 'Service'],
  *check({ unit }) {
    const routes = routeObjects(unit.objects);
    for (const t of traefikInstances(unit.objects)) {
      if (isV1(t.version)) continue;
      for (const p of t.providers ?? []) {
        if (p.allowEmptyServices || p.kind === 'gateway') continue;
        const affected = new Set<string>();
        for (const r of routes) {
          if (!servedBy(r, unit.objects).some((s) => s.traefik === t && s.provider.kind === p.kind)) continue;
          for (const b of backendsOf(r, unit.objects)) {
            const svc = findService(unit.objects, b.service, b.namespace);
            if (svc && workloadsBehind(svc, unit.objects).some(hasReadinessProbe)) affected.add(`"${b.namespace}/${b.service}" (${r.kind} "${r.name}")`);
          }
        }
        if (affected.size === 0) continue;
        yield {
          object: t.object,
          path: t.argsPath,
          message: `${t.version.label} (${t.id}) runs the ${PROVIDER_NAME[p.kind]} provider without --${PROVIDER_FLAG[p.kind]}.allowEmptyServices=true in front of Service(s) ${[...affected].join(', ')} whose pods have a readiness probe: when every pod is unready Traefik drops the route and clients get 404 instead of a 503 to retry`,
        };
      }
    }
  },
});
