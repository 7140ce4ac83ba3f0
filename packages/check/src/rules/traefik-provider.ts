import { byKind } from '../k8s.js';
import { traefikWorkloads } from '../traefik.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'traefik-provider',
  description: "Traefik's enabled providers match the kind of routes present: Ingress objects need the `kubernetesingress` provider, IngressRoute objects the `kubernetescrd` provider (a Traefik with only the CRD provider routes no Ingress).",
  remediation: 'Add `--providers.kubernetesingress` (for Ingress) and/or `--providers.kubernetescrd` (for IngressRoute) to the Traefik container args.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'DaemonSet', 'Ingress', 'IngressRoute'],
  *check({ unit }) {
    const ingresses = byKind(unit.objects, 'Ingress');
    const routes = byKind(unit.objects, 'IngressRoute');
    for (const t of traefikWorkloads(unit.objects)) {
      if (!t.providers) continue;
      const at = { object: t.object, path: [...t.container.path, t.container.c.args !== undefined ? 'args' : 'command'] };
      if (ingresses.length > 0 && !t.providers.has('ingress')) {
        yield { ...at, message: `${ingresses.length} Ingress object(s) (e.g. "${ingresses[0]?.name}") but Traefik runs without the kubernetesingress provider: nothing routes them` };
      }
      if (routes.length > 0 && !t.providers.has('crd')) {
        yield { ...at, message: `${routes.length} IngressRoute object(s) (e.g. "${routes[0]?.name}") but Traefik runs without the kubernetescrd provider: nothing routes them` };
      }
      if (t.providers.size === 0) yield { ...at, message: 'Traefik runs without any Kubernetes provider: it routes nothing from the cluster' };
    }
  },
});
