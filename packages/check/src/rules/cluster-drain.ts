import { analyzeCluster, type PendingPod } from '../cluster/analyze.js';
import { onCluster, reasons, workloadName } from '../cluster/describe.js';
import type { Workload } from '../cluster/pod.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'cluster-drain',
  description:
    'Draining each node of the cluster model (`kubectl drain --ignore-daemonsets`: cordon, then evict under the PodDisruptionBudgets, the controllers re-creating the pods on the remaining nodes) completes. An error when it blocks forever (a budget that never allows the eviction, a pod no controller re-creates); a warning when it completes but evicted pods find no other node. https://kubernetes.io/docs/tasks/administer-cluster/safely-drain-node/',
  remediation:
    'Let every budget allow one disruption (`maxUnavailable: 1`, or minAvailable below the replicas), run more replicas than a budget requires, and keep a spare node for the pods of a drained one (or accept the reduced capacity while the node is away).',
  severity: 'warning',
  profiles: ['core'],
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'PodDisruptionBudget'],
  *check({ unit, cluster }) {
    const report = analyzeCluster(unit.objects, cluster);
    const notReplaced = new Map<Workload, { nodes: string[]; first: PendingPod; count: number }>();
    for (const d of report.drains) {
      for (const b of d.blocked) {
        yield {
          object: b.pdb ?? b.workload.object,
          path: b.pdb ? ['spec'] : ['metadata', 'name'],
          severity: 'error',
          message: `draining ${d.node} never completes ${onCluster(cluster)}: pod ${b.pod} of ${workloadName(b.workload)} ${b.reason.startsWith('is ') ? b.reason : `cannot be evicted: ${b.reason}`}`,
        };
      }
      const byWorkload = new Map<Workload, PendingPod[]>();
      for (const p of d.notReplaced) byWorkload.set(p.workload, [...(byWorkload.get(p.workload) ?? []), p]);
      for (const [w, pods] of byWorkload) {
        const entry = notReplaced.get(w);
        const first = pods[0];
        if (!first) continue;
        if (entry) entry.nodes.push(d.node);
        else notReplaced.set(w, { nodes: [d.node], first, count: pods.length });
      }
    }
    for (const [w, { nodes, first, count }] of notReplaced) {
      yield {
        object: w.object,
        path: ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(w.kind) ? ['spec', 'replicas'] : ['metadata', 'name'],
        message: `draining ${nodes.join(' or ')} ${onCluster(cluster)} leaves ${count} of ${w.replicas} pods of ${workloadName(w)} Pending until the node is back: ${reasons(first.reasons)}`,
      };
    }
  },
});
