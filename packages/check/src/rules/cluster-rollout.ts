import { analyzeCluster } from '../cluster/analyze.js';
import { onCluster, reasons, workloadName } from '../cluster/describe.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'cluster-rollout',
  description:
    "A Deployment's rolling update completes on the cluster model: the surge pods are placed while the old pods still run, and old pods go only as maxUnavailable allows (defaults 25%/25%; maxSurge rounds up, maxUnavailable down: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#max-surge). With required anti-affinity on `kubernetes.io/hostname`, as many replicas as schedulable nodes and maxUnavailable 0, the surge pod stays Pending and the rollout never ends.",
  remediation:
    'Let one old pod go first (`maxSurge: 0`, `maxUnavailable: 1`), or have more schedulable nodes than replicas, or spread with `matchLabelKeys: [pod-template-hash]` so old and new pods are counted apart.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment'],
  *check({ unit, cluster }) {
    for (const r of analyzeCluster(unit.objects, cluster).rollouts) {
      if (r.completes) continue;
      const w = r.workload;
      const stuck = r.stuck;
      const why = stuck ? `the new pod stays Pending (${reasons(stuck.pending.reasons)})` : 'no pod can move';
      const held =
        r.maxUnavailable === 0
          ? 'and maxUnavailable 0 lets no old pod stop first'
          : `and it stops with ${stuck?.newRunning ?? 0} new and ${stuck?.oldRunning ?? 0} old pods running`;
      yield {
        object: w.object,
        path: ['spec', 'strategy'],
        message: `a rolling update of ${workloadName(w)} never completes ${onCluster(cluster)}: with maxSurge ${r.maxSurge} and maxUnavailable ${r.maxUnavailable}, ${why}, ${held}`,
      };
    }
  },
});
