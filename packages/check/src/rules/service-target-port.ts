import { containersOf, mapSelectorMatches, namespaceOf, podTemplate } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import { at, isRecord, records } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'service-target-port',
  description: "Every Service port's `targetPort` (number or name; `port` when unset) is a `containerPort` declared by the pods it selects.",
  remediation: 'Set `targetPort` to the port the container listens on, and declare it in the container `ports:` (with a `name:` when targetPort is a name).',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Service'],
  *check({ objectsOf }) {
    const workloads = objectsOf(...POD_TEMPLATE_KINDS);
    for (const s of objectsOf('Service')) {
      const sel = at(s.data, 'spec', 'selector');
      if (!isRecord(sel)) continue;
      const selected = workloads.filter((o) => {
        const t = podTemplate(o);
        return t && namespaceOf(o) === namespaceOf(s) && mapSelectorMatches(sel, t.labels);
      });
      if (selected.length === 0) continue; // service-selector-match reports it
      const declared = selected.flatMap((o) => containersOf(o, false).flatMap(({ c }) => records(c.ports).map(({ value }) => value)));
      for (const { value: p, index } of records(at(s.data, 'spec', 'ports'))) {
        const target = p.targetPort ?? p.port;
        const ok = declared.some((d) => (typeof target === 'number' ? d.containerPort === target : d.name === target || String(d.containerPort) === String(target)));
        if (!ok) {
          yield { object: s, path: ['spec', 'ports', index, p.targetPort !== undefined ? 'targetPort' : 'port'], message: `targetPort ${JSON.stringify(target)} is not a containerPort of the selected pods (${declared.map((d) => String(d.name ?? d.containerPort)).join(', ') || 'none declared'})` };
        }
      }
    }
  },
});
