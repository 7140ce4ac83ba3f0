import { componentOf, TABLE } from '../bernstein.js';
import { namespaceOf } from '../k8s.js';
import { defineRule } from './define.js';

const KINDS = ['Deployment', 'DaemonSet', 'StatefulSet', 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'ServiceAccount'];

export default defineRule({
  id: 'bernstein-namespace',
  description: 'Namespaces of the Bernstein profile: traefik (and its Service and ServiceAccount) in `kube-public`, cadvisor in `kube-system`, everything else in `default`.',
  remediation: 'Set `metadata.namespace` to the namespace of the table (unset means `default`).',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: KINDS,
  *check({ unit }) {
    for (const o of unit.objects) {
      if (!KINDS.includes(o.kind)) continue;
      const c = componentOf(o);
      if (!c) continue;
      const want = TABLE[c].namespace;
      if (namespaceOf(o) !== want) yield { object: o, path: ['metadata', o.namespace === undefined ? 'name' : 'namespace'], message: `${c} ${o.kind} is in namespace "${namespaceOf(o)}"; the profile puts ${c} in "${want}"` };
    }
  },
});
