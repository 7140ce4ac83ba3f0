import { mapSelectorMatches, namespaceOf, podTemplate } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import { at, stringMap } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'service-selector-match',
  description: "Every Service's selector matches the pod template labels of at least one workload in its namespace (otherwise the Service has no endpoints).",
  remediation: 'Use the same key and value in the Service selector as in the pod template labels (e.g. both `app: traefik`, not `app: traefik` against `k8s-app: traefik`), and put both in the same namespace.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Service'],
  *check({ objectsOf }) {
    const pods = objectsOf(...POD_TEMPLATE_KINDS).flatMap((o) => {
      const t = podTemplate(o);
      return t ? [{ ns: namespaceOf(o), labels: t.labels }] : [];
    });
    for (const s of objectsOf('Service')) {
      const sel = stringMap(at(s.data, 'spec', 'selector'));
      if (Object.keys(sel).length === 0) continue; // headless/external services select nothing on purpose
      if (!pods.some((p) => p.ns === namespaceOf(s) && mapSelectorMatches(sel, p.labels))) {
        yield { object: s, path: ['spec', 'selector'], message: `selector ${JSON.stringify(sel)} matches no pod template in namespace "${namespaceOf(s)}"` };
      }
    }
  },
});
