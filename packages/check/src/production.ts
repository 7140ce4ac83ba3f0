/** Shared shape of the per-container production rules. */
import { containersOf, podTemplate, type Any } from './k8s.js';
import type { K8sObject, Path, RawFinding, Rule } from './model.js';
import { defineRule } from './rules/define.js';

export const POD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];

export interface ContainerCheck {
  readonly id: string;
  readonly description: string;
  readonly remediation: string;
  readonly includeInit: boolean;
  /** Returns the problem (and the field it concerns) or undefined when the container is fine. */
  problem(c: Any, pod: Any, o: K8sObject): { message: string; field?: Path } | undefined;
}

export function containerRule(def: ContainerCheck): Rule {
  return defineRule({
    id: def.id,
    description: def.description,
    remediation: def.remediation,
    severity: 'warning',
    profiles: ['production'],
    kinds: POD_KINDS,
    *check({ unit }) {
      for (const o of unit.objects) {
        const t = podTemplate(o);
        if (!t) continue;
        for (const { c, path } of containersOf(o, def.includeInit)) {
          const p = def.problem(c, t.spec, o);
          if (p) yield { object: o, path: [...path, ...(p.field ?? [])], message: `container "${c.name ?? '?'}": ${p.message}` } satisfies RawFinding;
        }
      }
    },
  });
}

/** Container setting, else pod setting (Kubernetes' precedence for securityContext fields). */
export function effective(c: Any, pod: Any, field: string): unknown {
  return c.securityContext?.[field] ?? pod.securityContext?.[field];
}
