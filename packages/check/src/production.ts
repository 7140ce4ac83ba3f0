/** Shared shape of the per-container production rules. */
import { containerLabel, containersOf, podTemplate, type ContainerRef } from './k8s.js';
import { POD_TEMPLATE_KINDS } from './kinds.js';
import type { K8sObject, Path, RawFinding, Rule } from './model.js';
import { at } from './read.js';
import { defineRule } from './rules/define.js';

export interface ContainerCheck {
  readonly id: string;
  readonly description: string;
  readonly remediation: string;
  readonly includeInit: boolean;
  /** Returns the problem (and the field it concerns) or undefined when the container is fine. */
  problem(c: ContainerRef, pod: Readonly<Record<string, unknown>>, o: K8sObject): { message: string; field?: Path } | undefined;
}

export function containerRule(def: ContainerCheck): Rule {
  return defineRule({
    id: def.id,
    description: def.description,
    remediation: def.remediation,
    severity: 'warning',
    profiles: ['production'],
    kinds: POD_TEMPLATE_KINDS,
    *check({ objectsOf }) {
      for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
        const t = podTemplate(o);
        if (!t) continue;
        for (const c of containersOf(o, def.includeInit)) {
          const p = def.problem(c, t.spec, o);
          if (p) yield { object: o, path: [...c.path, ...(p.field ?? [])], message: `${containerLabel(c)}: ${p.message}` } satisfies RawFinding;
        }
      }
    },
  });
}

/** Container setting, else pod setting (Kubernetes' precedence for securityContext fields). */
export function effective(c: ContainerRef, pod: Readonly<Record<string, unknown>>, ...field: readonly string[]): unknown {
  return at(c.c, 'securityContext', ...field) ?? at(pod, 'securityContext', ...field);
}
