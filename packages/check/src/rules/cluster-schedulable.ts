import { analyzeCluster } from '../cluster/analyze.js';
import { onCluster, reasons, specPath, workloadName } from '../cluster/describe.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'cluster-schedulable',
  description:
    'Every pod of every workload finds a node on the cluster model (`--cluster`, default: a tainted control plane and 2 workers of 2 CPU / 4 GiB): taints and tolerations, nodeSelector and required node affinity, requests (init containers by the effective-request rule), host ports, topology spread (nodeAffinityPolicy Honor and nodeTaintsPolicy Ignore by default, so a tainted control plane counts as an empty domain), required pod affinity and anti-affinity, DaemonSet pods placed first. A HorizontalPodAutoscaler whose maxReplicas cannot fit is a warning naming how many fit. https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/',
  remediation:
    'Read the reason given for each node: tolerate the taint, relax the constraint (anti-affinity or spread on `kubernetes.io/hostname` allows at most one pod per schedulable node; a hostname spread with DoNotSchedule counts the tainted control plane unless `nodeTaintsPolicy: Honor`), lower the requests, or describe a bigger cluster with `--cluster`.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'HorizontalPodAutoscaler'],
  *check({ unit, cluster }) {
    const report = analyzeCluster(unit.objects, cluster);
    for (const o of report.workloads) {
      const first = o.pending[0];
      if (!first) continue;
      const w = o.workload;
      yield {
        object: w.object,
        path: ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(w.kind) ? ['spec', 'replicas'] : specPath(w.kind),
        message: `${o.pending.length} of ${o.desired} pods of ${workloadName(w)} stay Pending ${onCluster(cluster)}: ${reasons(first.reasons)}`,
      };
    }
    for (const h of report.hpa) {
      if (h.fit >= h.maxReplicas || !h.pending) continue;
      yield {
        object: h.hpa,
        path: ['spec', 'maxReplicas'],
        severity: 'warning',
        message: `maxReplicas ${h.maxReplicas}, but only ${h.fit} pods of ${workloadName(h.workload)} fit ${onCluster(cluster)}: the next one stays Pending (${reasons(h.pending.reasons)})`,
      };
    }
  },
});
