import { classRequest, ingressClasses, ingressVerdict, meantForTraefik, otherController, providerOf, servedBy, traefikInstances } from '../traefik/index.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'traefik-ingress-class',
  description:
    "Every Ingress meant for Traefik is served by exactly one Traefik of the input, as its version decides: 2.x/3.x serve an Ingress with `ingressClassName` only when an IngressClass of that name with controller `traefik.io/ingress-controller` exists (and it matches the provider's `ingressClass` option, if set); an Ingress without any class IS served by a Kubernetes Ingress provider without a class filter (https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/); 1.7 reads only the `kubernetes.io/ingress.class` annotation (https://doc.traefik.io/traefik/v1.7/configuration/backends/kubernetes/). A class-less Ingress gets the default IngressClass at creation (https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class). Reported: an Ingress no Traefik serves (clients get 404) and an Ingress claimed by two controllers.",
  remediation:
    'Add the IngressClass the Ingress names (`spec.controller: traefik.io/ingress-controller`), or align `ingressClassName` with the provider\'s `ingressClass` option, or drop the class when a single Traefik without a class filter serves everything. Give each Traefik its own class when there are several.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Ingress', 'IngressClass', 'Deployment', 'DaemonSet', 'StatefulSet', 'Pod'],
  *check({ unit, objectsOf }) {
    const instances = traefikInstances(unit.objects);
    const withIngress = instances.filter((t) => providerOf(t, 'ingress'));
    if (withIngress.length === 0) return; // no Traefik reads Ingresses: traefik-provider says so
    // A Traefik whose configuration is outside the input may serve what the others do not.
    const someUnknown = instances.some((t) => t.providers === undefined);
    const classes = ingressClasses(unit.objects);
    for (const ingress of objectsOf('Ingress')) {
      const req = classRequest(ingress, classes);
      const path = req.className !== undefined && !req.assignedDefault ? ['spec', 'ingressClassName'] : ['metadata'];
      const serving = servedBy(ingress, unit.objects).filter((s) => s.provider.kind === 'ingress');
      const other = otherController(ingress, classes);
      const id = `${ingress.namespace ?? 'default'}/${ingress.name}`;
      if (serving.length === 0 && !someUnknown && other === undefined && meantForTraefik(ingress, classes)) {
        const reasons = withIngress.map((t) => {
          const p = providerOf(t, 'ingress');
          return p ? `${t.version.label} (${t.id}) ignores it: ${ingressVerdict(t, p, ingress, classes).reason}` : '';
        });
        yield { object: ingress, path, message: `Ingress "${id}" is served by no Traefik of the input — ${reasons.join('; ')}; clients get 404` };
      }
      const claimants = [...serving.map((s) => `${s.traefik.version.label} (${s.traefik.id})`), ...(other !== undefined && serving.length > 0 ? [`controller ${other}`] : [])];
      if (claimants.length > 1) {
        yield { object: ingress, path, message: `Ingress "${id}" is claimed by ${claimants.length} controllers (${claimants.join(', ')}): each routes it and writes its own status, so clients reach whichever one their address leads to` };
      }
    }
  },
});
