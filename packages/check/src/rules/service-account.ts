import { namespaceOf, podTemplate } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import { defineRule } from './define.js';
import { text } from '../read.js';

export default defineRule({
  id: 'service-account',
  description: "Each workload runs under its own ServiceAccount (not `default`, not shared), so its API rights can be granted and audited alone; pods that never call the API don't mount a token.",
  remediation: 'Create a ServiceAccount per workload and set `serviceAccountName`; set `automountServiceAccountToken: false` where the pod does not talk to the API server.',
  severity: 'warning',
  profiles: ['production'],
  kinds: POD_TEMPLATE_KINDS,
  *check({ objectsOf }) {
    const users = new Map<string, string[]>();
    // ReplicaSets are normally created by a Deployment, which is judged instead.
    const list = objectsOf(...POD_TEMPLATE_KINDS).flatMap((o) => {
      const t = podTemplate(o);
      if (!t || o.kind === 'ReplicaSet') return [];
      const sa = text(t.spec.serviceAccountName ?? t.spec.serviceAccount ?? 'default');
      const key = `${namespaceOf(o)}/${sa}`;
      users.set(key, [...(users.get(key) ?? []), o.name]);
      return [{ o, sa, key, specPath: t.specPath }];
    });
    for (const { o, sa, key, specPath } of list) {
      const path = [...specPath, 'serviceAccountName'];
      if (sa === 'default') yield { object: o, path, message: 'runs under the default ServiceAccount' };
      else if ((users.get(key) ?? []).length > 1) yield { object: o, path, message: `shares ServiceAccount "${sa}" with ${(users.get(key) ?? []).filter((n) => n !== o.name).join(', ')}` };
    }
  },
});
