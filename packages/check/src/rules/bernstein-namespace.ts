import { componentOf, TABLE } from '../bernstein.js';
import { namespaceOf } from '../k8s.js';
import { CONFIG_KINDS, SERVICE_WORKLOAD_KINDS } from '../kinds.js';
import { defineRule } from './define.js';

/** What a component is made of, each in the component's namespace. */
const KINDS = [...SERVICE_WORKLOAD_KINDS, 'Service', ...CONFIG_KINDS, 'PersistentVolumeClaim', 'ServiceAccount'];

export default defineRule({
  id: 'bernstein-namespace',
  description: 'Namespaces of the Bernstein profile: traefik (and its Service and ServiceAccount) in `kube-public`, cadvisor in `kube-system`, everything else in `default`.',
  remediation: 'Set `metadata.namespace` to the namespace of the table (unset means `default`).',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: KINDS,
  *check({ objectsOf }) {
    for (const o of objectsOf(...KINDS)) {
      const c = componentOf(o);
      if (!c) continue;
      const want = TABLE[c].namespace;
      if (namespaceOf(o) !== want) yield { object: o, path: ['metadata', o.namespace === undefined ? 'name' : 'namespace'], message: `${c} ${o.kind} is in namespace "${namespaceOf(o)}"; the profile puts ${c} in "${want}"` };
    }
  },
});
