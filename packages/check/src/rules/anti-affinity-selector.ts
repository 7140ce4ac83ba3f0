import { podTemplate, selectorMatches } from '../k8s.js';
import { REPLICATED_KINDS } from '../kinds.js';
import { at, records } from '../read.js';
import { defineRule } from './define.js';

const TERM_LISTS = ['requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution'] as const;

export default defineRule({
  id: 'anti-affinity-selector',
  description: "A pod anti-affinity term (or topology spread constraint) of a workload selects the workload's own pod labels; otherwise it keeps nothing apart.",
  remediation: 'Use the labels of the pod template in the term `labelSelector` (e.g. `matchLabels: {app: poll}` when the pods carry `app: poll`).',
  severity: 'error',
  profiles: ['core'],
  kinds: REPLICATED_KINDS,
  *check({ objectsOf }) {
    for (const o of objectsOf(...REPLICATED_KINDS)) {
      const t = podTemplate(o);
      if (!t) continue;
      for (const field of TERM_LISTS) {
        for (const { value: term, index } of records(at(t.spec, 'affinity', 'podAntiAffinity', field))) {
          const sel = term.labelSelector ?? at(term, 'podAffinityTerm', 'labelSelector');
          if (sel !== undefined && !selectorMatches(sel, t.labels)) {
            yield { object: o, path: [...t.specPath, 'affinity', 'podAntiAffinity', field, index], message: `anti-affinity selector ${JSON.stringify(sel)} does not match the pods' own labels ${JSON.stringify(t.labels)}` };
          }
        }
      }
      for (const { value: c, index } of records(t.spec.topologySpreadConstraints)) {
        if (c.labelSelector !== undefined && !selectorMatches(c.labelSelector, t.labels)) {
          yield { object: o, path: [...t.specPath, 'topologySpreadConstraints', index], message: `topology spread selector does not match the pods' own labels ${JSON.stringify(t.labels)}` };
        }
      }
    }
  },
});
