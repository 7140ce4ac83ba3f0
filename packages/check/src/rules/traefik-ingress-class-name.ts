import { TRAEFIK_CONTROLLER, ingressClasses } from '../traefik/index.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'traefik-ingress-class-name',
  description:
    'No IngressClass of the input is named `traefik`: stock k3s deploys its own Traefik by default (https://docs.k3s.io/networking/networking-services#traefik-ingress-controller) from the Traefik Helm chart, whose IngressClass takes the release name, `traefik` (https://github.com/traefik/traefik-helm-chart/blob/master/traefik/templates/ingressclass.yaml). Yours then overwrites or fights that object, and the bundled Traefik serves the same Ingresses.',
  remediation: 'Start the k3s servers with `--disable=traefik` when you run your own Traefik, or name your class otherwise (e.g. `bernstein`) and use that name in `ingressClassName` and `--providers.kubernetesingress.ingressClass`.',
  severity: 'warning',
  profiles: ['production'],
  kinds: ['IngressClass'],
  *check({ unit }) {
    for (const c of ingressClasses(unit.objects)) {
      if (c.name !== 'traefik') continue;
      const owner = c.controller === TRAEFIK_CONTROLLER ? 'your Traefik' : `controller ${c.controller || '(none)'}`;
      yield {
        object: c.object,
        path: ['metadata', 'name'],
        message: `IngressClass "traefik" (for ${owner}) has the name of the class k3s's bundled Traefik creates: on a stock k3s cluster both Traefiks claim the Ingresses of this class; start k3s with --disable=traefik or use another class name`,
      };
    }
  },
});
