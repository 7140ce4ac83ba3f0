import { analyzeCluster } from '../cluster/analyze.js';
import { onCluster } from '../cluster/describe.js';
import { formatTaint, readTolerations } from '../cluster/labels.js';
import { templateSpecOf } from '../cluster/pod.js';
import type { K8sObject } from '../model.js';
import { at, stringMap } from '../read.js';
import { defineRule } from './define.js';

/** DaemonSets that exist to observe or serve every node (metrics, logs, network, storage agents). */
const AGENT = /cadvisor|exporter|agent|monitor|metrics|logging|fluent|promtail|vector|filebeat|collector|otel|telemetry|kube-proxy|calico|cilium|flannel|csi|node-local-dns/i;

function isAgent(o: K8sObject): boolean {
  const labels = { ...stringMap(at(o.data, 'metadata', 'labels')), ...(templateSpecOf(o)?.labels ?? {}) };
  const component = labels['app.kubernetes.io/component'] ?? '';
  return AGENT.test(o.name) || AGENT.test(component) || AGENT.test(labels['app.kubernetes.io/name'] ?? '');
}

export default defineRule({
  id: 'cluster-daemonset-coverage',
  description:
    'A monitoring or node-agent DaemonSet (cAdvisor, exporters, log shippers, CNI/CSI agents) runs on every node: a node is left out only by a taint it does not tolerate (named from the cluster model), or, when the model has no such node, by tolerating only specific taints, so a node with any other NoSchedule taint (a dedicated or GPU pool) gets none. Nodes left out by its nodeSelector or node affinity are intended. https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/#taints-and-tolerations',
  remediation: 'Tolerate every taint: `tolerations: [{operator: Exists}]` (an empty key with `Exists` matches all taints), or name each taint of the nodes it must cover.',
  severity: 'warning',
  profiles: ['core'],
  kinds: ['DaemonSet'],
  *check({ unit, cluster }) {
    for (const d of analyzeCluster(unit.objects, cluster).daemonSets) {
      const o = d.workload.object;
      if (!isAgent(o)) continue;
      const path = ['spec', 'template', 'spec', 'tolerations'];
      if (d.excludedByTaint.length > 0) {
        const nodes = d.excludedByTaint.map((x) => `${x.node} (${formatTaint(x.taint)})`).join(', ');
        yield { object: o, path, message: `${o.name} gets no pod on ${nodes} ${onCluster(cluster)}: it does not tolerate those taints` };
        continue;
      }
      const tolerations = readTolerations(at(templateSpecOf(o)?.spec, 'tolerations'));
      const all = (effect: string) => tolerations.some((t) => t.key === undefined && t.operator === 'Exists' && (t.effect === undefined || t.effect === effect));
      if (all('NoSchedule') && all('NoExecute')) continue;
      const named = tolerations.map((t) => `${t.key ?? '*'}${t.effect ? `:${t.effect}` : ''}`);
      yield {
        object: o,
        path,
        message: `${o.name} tolerates ${named.length > 0 ? `only ${named.join(', ')}` : 'no taint'}: a node with any other NoSchedule or NoExecute taint (a dedicated or GPU pool) gets no ${o.name} pod`,
      };
    }
  },
});
