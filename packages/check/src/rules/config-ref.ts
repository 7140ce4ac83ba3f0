import { containersOf, namespaceOf, podTemplate, volumesOf } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import type { Path, RawFinding } from '../model.js';
import { isRecord, records } from '../read.js';
import { describeTarget, resolveRef } from '../refs.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'config-ref',
  description: 'Every ConfigMap and Secret a pod uses (envFrom, valueFrom keys, volumes) exists in its namespace (in the input, or declared `external` in the config file or the unit\'s `bernstein-check.yaml`) and has the keys asked for, unless the reference is marked `optional: true`.',
  remediation: 'Create the ConfigMap/Secret in the same namespace as the workload, or fix the name or key in the reference. When it is created in the cluster out of band, declare it with its keys under `external:` (see the top of this page).',
  severity: 'error',
  profiles: ['core'],
  kinds: POD_TEMPLATE_KINDS,
  *check({ unit, external = [], objectsOf }) {
    for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
      const t = podTemplate(o);
      if (!t) continue;
      const ns = namespaceOf(o);
      const ref = function* (kind: 'ConfigMap' | 'Secret', name: unknown, key: unknown, optional: unknown, path: Path): Generator<RawFinding> {
        if (optional === true || typeof name !== 'string') return;
        const target = resolveRef(unit.objects, external, kind, name, ns);
        if (!target) yield { object: o, path, message: `${kind} "${name}" does not exist in namespace "${ns}"` };
        else if (typeof key === 'string' && !target.keys.has(key)) yield { object: o, path, message: `${describeTarget(kind, name, target)} has no key "${key}"` };
      };
      for (const { c, path } of containersOf(o)) {
        for (const { value: e, index } of records(c.envFrom)) {
          if (isRecord(e.configMapRef)) yield* ref('ConfigMap', e.configMapRef.name, undefined, e.configMapRef.optional, [...path, 'envFrom', index]);
          if (isRecord(e.secretRef)) yield* ref('Secret', e.secretRef.name, undefined, e.secretRef.optional, [...path, 'envFrom', index]);
        }
        for (const { value: e, index } of records(c.env)) {
          const vf = e.valueFrom;
          if (!isRecord(vf)) continue;
          const p = [...path, 'env', index, 'valueFrom'];
          if (isRecord(vf.configMapKeyRef)) yield* ref('ConfigMap', vf.configMapKeyRef.name, vf.configMapKeyRef.key, vf.configMapKeyRef.optional, p);
          if (isRecord(vf.secretKeyRef)) yield* ref('Secret', vf.secretKeyRef.name, vf.secretKeyRef.key, vf.secretKeyRef.optional, p);
        }
      }
      for (const { value: v, index } of volumesOf(t)) {
        const p = [...t.specPath, 'volumes', index];
        if (isRecord(v.configMap)) yield* ref('ConfigMap', v.configMap.name, undefined, v.configMap.optional, p);
        if (isRecord(v.secret)) yield* ref('Secret', v.secret.secretName, undefined, v.secret.optional, p);
      }
    }
  },
});
