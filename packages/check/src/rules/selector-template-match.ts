import { podTemplate, selectorMatches } from '../k8s.js';
import { CONTROLLER_KINDS } from '../kinds.js';
import { at } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'selector-template-match',
  description: "A controller's `spec.selector` matches the labels of its own pod template (the API server rejects the object otherwise).",
  remediation: 'Make `spec.selector.matchLabels` a subset of `spec.template.metadata.labels`.',
  severity: 'error',
  profiles: ['core'],
  kinds: CONTROLLER_KINDS,
  *check({ objectsOf }) {
    for (const o of objectsOf(...CONTROLLER_KINDS)) {
      const t = podTemplate(o);
      const sel = at(o.data, 'spec', 'selector');
      if (!t || sel === undefined) continue;
      if (!selectorMatches(sel, t.labels)) {
        yield { object: o, path: ['spec', 'selector'], message: `spec.selector does not match the pod template labels ${JSON.stringify(t.labels)}` };
      }
    }
  },
});
