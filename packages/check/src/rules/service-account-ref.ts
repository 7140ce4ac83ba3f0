import { byKind, isRecord, namespaceOf, podTemplate } from '../k8s.js';
import { resolveRef } from '../refs.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'service-account-ref',
  description: 'The ServiceAccount a pod runs as (other than `default`) exists in its namespace, and every ServiceAccount a RoleBinding/ClusterRoleBinding grants to exists (in the input, or declared `external`).',
  remediation: 'Create the ServiceAccount in the namespace of the workload (or of the binding subject), or fix the name.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'RoleBinding', 'ClusterRoleBinding'],
  *check({ unit, external = [] }) {
    for (const o of unit.objects) {
      const t = podTemplate(o);
      if (!t) continue;
      const sa = t.spec.serviceAccountName ?? t.spec.serviceAccount;
      if (typeof sa === 'string' && sa !== 'default' && !resolveRef(unit.objects, external, 'ServiceAccount', sa, namespaceOf(o))) {
        yield { object: o, path: [...t.specPath, t.spec.serviceAccountName !== undefined ? 'serviceAccountName' : 'serviceAccount'], message: `ServiceAccount "${sa}" does not exist in namespace "${namespaceOf(o)}"` };
      }
    }
    for (const b of byKind(unit.objects, 'RoleBinding', 'ClusterRoleBinding')) {
      const subjects: unknown[] = Array.isArray(b.data?.subjects) ? b.data.subjects : [];
      for (const [i, s] of subjects.entries()) {
        if (!isRecord(s) || s.kind !== 'ServiceAccount' || typeof s.name !== 'string' || s.name === 'default') continue;
        const ns = typeof s.namespace === 'string' ? s.namespace : namespaceOf(b);
        if (!resolveRef(unit.objects, external, 'ServiceAccount', s.name, ns)) {
          yield { object: b, path: ['subjects', i], message: `subject ServiceAccount "${s.name}" does not exist in namespace "${ns}"` };
        }
      }
    }
  },
});
