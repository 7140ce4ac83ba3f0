import { analyzeCluster, type PendingPod } from '../cluster/analyze.js';
import { onCluster, reasons, workloadName } from '../cluster/describe.js';
import type { Workload } from '../cluster/pod.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'cluster-drain',
  description:
    'Draining each node of the cluster model (`kubectl drain --ignore-daemonsets`: cordon, then evict under the PodDisruptionBudgets, the controllers re-creating the pods on the remaining nodes) completes. An error when it blocks forever (a budget that never allows the eviction); a warning for a pod no controller manages (kubectl drain stops at it until `--force`, which loses it) and when it completes but leaves a workload with no running pod (its evicted pods find no other node); fewer replicas while the node is away is what a budget allows. https://kubernetes.io/docs/tasks/administer-cluster/safely-drain-node/',
  remediation:
    'Let every budget allow one disruption (`maxUnavailable: 1`, or minAvailable below the replicas), run more replicas than a budget requires, and keep a spare node for the pods of a drained one (or accept the reduced capacity while the node is away).',
  severity: 'warning',
  profiles: ['core'],
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'PodDisruptionBudget'],
  *check({ unit, cluster }) {
    const report = analyzeCluster(unit.objects, cluster);
    const outages = new Map<Workload, { nodes: string[]; first: PendingPod }>();
    for (const d of report.drains) {
      for (const b of d.blocked) {
        // A bare pod stops `kubectl drain` only until --force (which loses it): a warning.
        const bare = b.workload.kind === 'Pod';
        yield {
          object: b.pdb ?? b.workload.object,
          path: b.pdb ? ['spec'] : ['metadata', 'name'],
          severity: bare ? 'warning' : 'error',
          message: bare
            ? `draining ${d.node} ${onCluster(cluster)} stops at pod ${b.pod}: it ${b.reason}`
            : `draining ${d.node} never completes ${onCluster(cluster)}: pod ${b.pod} of ${workloadName(b.workload)} cannot be evicted: ${b.reason}`,
        };
      }
      for (const p of d.outages) {
        const entry = outages.get(p.workload);
        if (entry) entry.nodes.push(d.node);
        else outages.set(p.workload, { nodes: [d.node], first: p });
      }
    }
    // Fewer replicas while a node is away is what a budget allows; none at all is an outage.
    for (const [w, { nodes, first }] of outages) {
      yield {
        object: w.object,
        path: ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(w.kind) ? ['spec', 'replicas'] : ['metadata', 'name'],
        message: `draining ${nodes.join(' or ')} ${onCluster(cluster)} leaves no pod of ${workloadName(w)} running until the node is back: the evicted pod finds no other node (${reasons(first.reasons)})`,
      };
    }
  },
});
