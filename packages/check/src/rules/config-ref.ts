import { containersOf, isRecord, namespaceOf, podTemplate } from '../k8s.js';
import type { Path, RawFinding } from '../model.js';
import { describeTarget, resolveRef } from '../refs.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'config-ref',
  description: 'Every ConfigMap and Secret a pod uses (envFrom, valueFrom keys, volumes) exists in its namespace (in the input, or declared `external` in the config file or the unit\'s `bernstein-check.yaml`) and has the keys asked for, unless the reference is marked `optional: true`.',
  remediation: 'Create the ConfigMap/Secret in the same namespace as the workload, or fix the name or key in the reference. When it is created in the cluster out of band, declare it with its keys under `external:` (see the top of this page).',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'],
  *check({ unit, external = [] }) {
    for (const o of unit.objects) {
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
        const envFrom: unknown[] = Array.isArray(c.envFrom) ? c.envFrom : [];
        for (const [i, e] of envFrom.entries()) {
          if (!isRecord(e)) continue;
          if (isRecord(e.configMapRef)) yield* ref('ConfigMap', e.configMapRef.name, undefined, e.configMapRef.optional, [...path, 'envFrom', i]);
          if (isRecord(e.secretRef)) yield* ref('Secret', e.secretRef.name, undefined, e.secretRef.optional, [...path, 'envFrom', i]);
        }
        const env: unknown[] = Array.isArray(c.env) ? c.env : [];
        for (const [i, e] of env.entries()) {
          const vf = isRecord(e) ? e.valueFrom : undefined;
          if (!isRecord(vf)) continue;
          const p = [...path, 'env', i, 'valueFrom'];
          if (isRecord(vf.configMapKeyRef)) yield* ref('ConfigMap', vf.configMapKeyRef.name, vf.configMapKeyRef.key, vf.configMapKeyRef.optional, p);
          if (isRecord(vf.secretKeyRef)) yield* ref('Secret', vf.secretKeyRef.name, vf.secretKeyRef.key, vf.secretKeyRef.optional, p);
        }
      }
      const volumes: unknown[] = Array.isArray(t.spec.volumes) ? t.spec.volumes : [];
      for (const [i, v] of volumes.entries()) {
        if (!isRecord(v)) continue;
        const p = [...t.specPath, 'volumes', i];
        if (isRecord(v.configMap)) yield* ref('ConfigMap', v.configMap.name, undefined, v.configMap.optional, p);
        if (isRecord(v.secret)) yield* ref('Secret', v.secret.secretName, undefined, v.secret.optional, p);
      }
    }
  },
});
