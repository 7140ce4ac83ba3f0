/**
 * Where our services' variables must come from, per the Bernstein profile: connection settings
 * from a ConfigMap, credentials from a Secret. Shared by the rules bernstein-configmaps and
 * bernstein-secret, which differ only in the variables, the kind and the wording.
 */
import { dataKeys, envSource } from './env.js';
import { byKind, containersOf, labelsOf, namespaceOf, podTemplate } from './k8s.js';
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

export function* misplacedVariables({ unit, external = [] }: RuleContext, placement: Placement): Generator<RawFinding> {
  if (unit.objects.length === 0) return;
  const want = placement.kind === 'ConfigMap' ? 'configmap' : 'secret';
  const keys = new Set(byKind(unit.objects, placement.kind).flatMap(dataKeys));
  for (const v of placement.variables) if (!keys.has(v)) yield { file: unit.root, message: `no ${placement.kind} defines ${v}` };
  for (const o of unit.objects) {
    const t = podTemplate(o);
    if (!t) continue;
    for (const { c, path } of containersOf(o)) {
      const service = serviceOf(c, { ...labelsOf(o), ...t.labels });
      if (!service) continue;
      const required = requiredVariables(service).filter((v) => placement.variables.includes(v));
      for (const v of placement.needed?.(service, required) ?? required) {
        const src = envSource(unit.objects, namespaceOf(o), c, v, external);
        if (src === want) continue;
        const from = src === undefined ? 'from nowhere' : `from ${src === 'literal' ? 'a literal env value' : `a ${src}`}`;
        yield { object: o, path, message: `${service} container "${c.name ?? '?'}" gets ${v} ${from}; it belongs in a ${placement.kind}` };
      }
    }
  }
}
