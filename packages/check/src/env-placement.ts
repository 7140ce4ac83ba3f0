/**
 * Where our services' variables must come from, per the Bernstein profile: connection settings
 * from a ConfigMap, credentials from a Secret. Shared by the rules bernstein-configmaps and
 * bernstein-secret, which differ only in the variables, the kind and the wording.
 */
import { dataKeys, envSource } from './env.js';
import { containerLabel, containersOf, labelsOf, namespaceOf, podTemplate } from './k8s.js';
import { POD_TEMPLATE_KINDS } from './kinds.js';
import type { RawFinding, RuleContext } from './model.js';
import type { ServiceName } from '@bernstein/common/config';
import { requiredVariables, serviceOf } from './services.js';

export interface Placement {
  kind: 'ConfigMap' | 'Secret';
  /** The variables this placement governs. */
  variables: readonly string[];
  /** Which of them a service must be given (its required ones, plus any the course grades). */
  needed?: (service: ServiceName, required: string[]) => string[];
}

/** Kinds the placement rules report on (the unit-level "no ConfigMap defines …" aside). */
export const PLACEMENT_KINDS = POD_TEMPLATE_KINDS;

export function* misplacedVariables({ unit, external = [], objectsOf }: RuleContext, placement: Placement): Generator<RawFinding> {
  if (unit.objects.length === 0) return;
  const want = placement.kind === 'ConfigMap' ? 'configmap' : 'secret';
  const keys = new Set(objectsOf(placement.kind).flatMap(dataKeys));
  for (const v of placement.variables) if (!keys.has(v)) yield { file: unit.root, message: `no ${placement.kind} defines ${v}` };
  for (const o of objectsOf(...PLACEMENT_KINDS)) {
    const t = podTemplate(o);
    if (!t) continue;
    for (const c of containersOf(o)) {
      const service = serviceOf(c, { ...labelsOf(o), ...t.labels });
      if (!service) continue;
      const required = requiredVariables(service).filter((v) => placement.variables.includes(v));
      for (const v of placement.needed?.(service, required) ?? required) {
        const src = envSource(unit.objects, namespaceOf(o), c, v, external);
        if (src === want) continue;
        const from = src === undefined ? 'from nowhere' : `from ${src === 'literal' ? 'a literal env value' : `a ${src}`}`;
        yield { object: o, path: c.path, message: `${service} ${containerLabel(c)} gets ${v} ${from}; it belongs in a ${placement.kind}` };
      }
    }
  }
}
