import { namespaceOf, podTemplate } from '../k8s.js';
import { BINDING_KINDS, POD_TEMPLATE_KINDS } from '../kinds.js';
import { at, records, str } from '../read.js';
import { resolveRef } from '../refs.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'service-account-ref',
  description: 'The ServiceAccount a pod runs as (other than `default`) exists in its namespace, and every ServiceAccount a RoleBinding/ClusterRoleBinding grants to exists (in the input, or declared `external`).',
  remediation: 'Create the ServiceAccount in the namespace of the workload (or of the binding subject), or fix the name.',
  severity: 'error',
  profiles: ['core'],
  kinds: [...POD_TEMPLATE_KINDS, ...BINDING_KINDS],
  *check({ unit, external = [], objectsOf }) {
    for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
      const t = podTemplate(o);
      if (!t) continue;
      const sa = t.spec.serviceAccountName ?? t.spec.serviceAccount;
      if (typeof sa === 'string' && sa !== 'default' && !resolveRef(unit.objects, external, 'ServiceAccount', sa, namespaceOf(o))) {
        yield { object: o, path: [...t.specPath, t.spec.serviceAccountName !== undefined ? 'serviceAccountName' : 'serviceAccount'], message: `ServiceAccount "${sa}" does not exist in namespace "${namespaceOf(o)}"` };
      }
    }
    for (const b of objectsOf(...BINDING_KINDS)) {
      for (const { value: s, index } of records(at(b.data, 'subjects'))) {
        const name = str(s.name);
        if (s.kind !== 'ServiceAccount' || name === undefined || name === 'default') continue;
        const ns = str(s.namespace) ?? namespaceOf(b);
        if (!resolveRef(unit.objects, external, 'ServiceAccount', name, ns)) {
          yield { object: b, path: ['subjects', index], message: `subject ServiceAccount "${name}" does not exist in namespace "${ns}"` };
        }
      }
    }
  },
});
