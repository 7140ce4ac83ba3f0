import { ANY_KIND } from '../kinds.js';
import { at, str } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'schema-invalid',
  description: "Every object matches the Kubernetes API schema of its kind (kubernetes-models validators; Traefik CRDs by their documented shape): types, required fields, allowed values; apiVersion, kind and metadata.name are present.",
  remediation: 'Correct the field named in the message; `kubectl explain KIND.FIELD` shows the expected type. A server-side dry run (`kubectl apply --dry-run=server`) reports the same.',
  severity: 'error',
  profiles: ['core'],
  kinds: [ANY_KIND],
  *check({ objectsOf, schema }) {
    for (const o of objectsOf(ANY_KIND)) {
      if (o.apiVersion === '' || o.kind === '') {
        yield { object: o, message: 'object without apiVersion or kind' };
        continue;
      }
      if (o.name === '' && str(at(o.data, 'metadata', 'generateName')) === undefined) {
        yield { object: o, path: ['metadata'], message: `${o.kind} without metadata.name` };
      }
      for (const e of schema.get(o)?.errors ?? []) yield { object: o, path: e.path, message: e.message };
    }
  },
});
