import { ANY_KIND } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'schema-unknown-kind',
  description: 'The apiVersion/kind pair is one the checker has a schema for (built-in Kubernetes kinds and Traefik CRDs); others are not validated.',
  remediation: 'Check the spelling of apiVersion and kind (e.g. `apps/v1` Deployment, `networking.k8s.io/v1` Ingress, `traefik.io/v1alpha1` IngressRoute). For a CRD of another project, suppress this rule on the object or in the config file.',
  severity: 'warning',
  profiles: ['core'],
  kinds: [ANY_KIND],
  *check({ objectsOf, schema }) {
    for (const o of objectsOf(ANY_KIND)) {
      if (o.apiVersion === '' || o.kind === '') continue;
      if (schema.get(o)?.known === false) yield { object: o, path: ['kind'], message: `no schema known for ${o.apiVersion} ${o.kind}; its fields are not checked` };
    }
  },
});
