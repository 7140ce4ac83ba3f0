import { templateSpecOf } from '../cluster/pod.js';
import { at, num, records, str, strings } from '../read.js';
import { defineRule } from './define.js';

const SINGLE_NODE_MODES = ['ReadWriteOnce', 'ReadWriteOncePod'];

export default defineRule({
  id: 'rwo-rolling-update',
  description:
    'A Deployment that mounts a ReadWriteOnce (or ReadWriteOncePod) PersistentVolumeClaim does not update with RollingUpdate (the default strategy): the new pod may be scheduled to another node while the old one holds the volume, and never mounts it. https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes',
  remediation: 'Set `strategy: {type: Recreate}` (the old pod goes before the new one starts), or run the workload as a StatefulSet.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment'],
  *check({ objectsOf }) {
    const claims = objectsOf('PersistentVolumeClaim');
    for (const o of objectsOf('Deployment')) {
      if ((num(at(o.data, 'spec', 'replicas')) ?? 1) < 1) continue;
      const strategy = str(at(o.data, 'spec', 'strategy', 'type')) ?? 'RollingUpdate';
      if (strategy !== 'RollingUpdate') continue;
      const namespace = o.namespace ?? 'default';
      for (const { value: v } of records(templateSpecOf(o)?.spec.volumes)) {
        const claimName = str(at(v, 'persistentVolumeClaim', 'claimName'));
        const claim = claims.find((c) => c.name === claimName && (c.namespace ?? 'default') === namespace);
        const mode = claim ? strings(at(claim.data, 'spec', 'accessModes')).find((m) => SINGLE_NODE_MODES.includes(m)) : undefined;
        if (!claim || !mode) continue;
        yield {
          object: o,
          path: ['spec', 'strategy'],
          message: `${o.name} mounts the ${mode} PersistentVolumeClaim ${claim.name} but updates with RollingUpdate${at(o.data, 'spec', 'strategy') === undefined ? ' (the default)' : ''}: the new pod may land on another node and never mount the volume the old pod holds; use strategy Recreate or a StatefulSet`,
        };
        break;
      }
    }
  },
});
