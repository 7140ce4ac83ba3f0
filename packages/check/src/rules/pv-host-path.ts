import { at, isRecord, records } from '../read.js';
import { nodeSelectorMatches, schedulableNodes } from '../resolve/nodes.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'pv-host-path',
  description:
    'A PersistentVolume of type `hostPath` or `local` is one directory on one node, so on a cluster with two or more schedulable nodes (`--cluster`; the default model has two workers) its `nodeAffinity.required` must pin it to a single node: the scheduler then places the pods that use it there (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#node-affinity). Without it, a restarted pod may start on another node and find that node\'s directory, empty.',
  remediation:
    'Add `spec.nodeAffinity.required.nodeSelectorTerms` selecting the one node that holds the directory (e.g. `kubernetes.io/hostname In [worker-1]`, or a label only that node carries), or use a StorageClass that provisions network or replicated storage.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['PersistentVolume'],
  *check({ objectsOf, cluster }) {
    const nodes = schedulableNodes(cluster);
    if (nodes.length < 2) return;
    for (const pv of objectsOf('PersistentVolume')) {
      const type = isRecord(at(pv.data, 'spec', 'hostPath')) ? 'hostPath' : isRecord(at(pv.data, 'spec', 'local')) ? 'local' : undefined;
      if (!type) continue;
      const required = at(pv.data, 'spec', 'nodeAffinity', 'required');
      if (records(at(required, 'nodeSelectorTerms')).length === 0) {
        yield {
          object: pv,
          path: ['spec', type],
          message: `${type} PersistentVolume "${pv.name}" has no required nodeAffinity: a pod using it may start on any of ${nodes.length} schedulable nodes (${nodes.map((n) => n.name).join(', ')}) and find an empty directory there`,
        };
        continue;
      }
      const matching = nodes.filter((n) => nodeSelectorMatches(required, n));
      if (matching.length >= 2) {
        yield {
          object: pv,
          path: ['spec', 'nodeAffinity', 'required'],
          message: `${type} PersistentVolume "${pv.name}" has a nodeAffinity that matches ${matching.length} schedulable nodes (${matching.map((n) => n.name).join(', ')}): the directory exists on one node only`,
        };
      }
    }
  },
});
