import { componentOf, NODE_PORTS, TABLE, workloadOf } from '../bernstein.js';
import { mapSelectorMatches, namespaceOf, podTemplate } from '../k8s.js';
import { SERVICE_WORKLOAD_KINDS } from '../kinds.js';
import type { K8sObject } from '../model.js';
import { at, records, text } from '../read.js';
import { defineRule } from './define.js';

const ROUTED = ['postgres', 'redis', 'poll', 'result', 'traefik'] as const;

function serviceFor(workloads: readonly K8sObject[], services: readonly K8sObject[], c: (typeof ROUTED)[number]): K8sObject | undefined {
  const w = workloadOf(workloads, c);
  const labels = w ? podTemplate(w)?.labels ?? {} : {};
  return services.find((s) => w && namespaceOf(s) === namespaceOf(w) && mapSelectorMatches(at(s.data, 'spec', 'selector'), labels)) ?? services.find((s) => componentOf(s) === c);
}

export default defineRule({
  id: 'bernstein-services',
  description: 'Services exist for postgres (5432), redis (6379), poll (80), result (80) and traefik; the traefik Service is a NodePort exposing the proxy port 80 on node port 30021 and the dashboard 8080 on 30042.',
  remediation: 'Add the Service selecting the component pods, with the port of the table; for traefik use `type: NodePort` with `nodePort: 30021` (port 80) and `nodePort: 30042` (port 8080).',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Service'],
  reportsAbsence: true,
  *check({ unit, objectsOf }) {
    if (unit.objects.length === 0) return;
    const workloads = objectsOf(...SERVICE_WORKLOAD_KINDS);
    const services = objectsOf('Service');
    for (const c of ROUTED) {
      const s = serviceFor(workloads, services, c);
      if (!s) {
        yield { file: unit.root, message: `no Service for ${c}` };
        continue;
      }
      const ports = records(at(s.data, 'spec', 'ports')).map(({ value }) => value);
      if (c === 'traefik') {
        const type = at(s.data, 'spec', 'type');
        if (type !== 'NodePort' && type !== 'LoadBalancer') yield { object: s, path: ['spec', 'type'], message: `the traefik Service is of type ${text(type ?? 'ClusterIP')}; it must be a NodePort` };
        for (const { port, nodePort } of Object.values(NODE_PORTS)) {
          if (!ports.some((p) => p.port === port && p.nodePort === nodePort)) yield { object: s, path: ['spec', 'ports'], message: `the traefik Service does not expose port ${port} on node port ${nodePort}` };
        }
        continue;
      }
      for (const want of TABLE[c].ports) {
        if (!ports.some((p) => p.port === want)) yield { object: s, path: ['spec', 'ports'], message: `the ${c} Service does not expose port ${want}` };
      }
    }
  },
});
