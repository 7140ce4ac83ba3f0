import { containersOf, findObject, isRecord, namespaceOf, podTemplate } from '../k8s.js';
import type { K8sObject, Path, RawFinding } from '../model.js';
import { defineRule } from './define.js';

function keysOf(o: K8sObject): Set<string> {
  return new Set([...Object.keys(isRecord(o.data?.data) ? o.data.data : {}), ...Object.keys(isRecord(o.data?.stringData) ? o.data.stringData : {}), ...Object.keys(isRecord(o.data?.binaryData) ? o.data.binaryData : {})]);
}

export default defineRule({
  id: 'config-ref',
  description: 'Every ConfigMap and Secret a pod uses (envFrom, valueFrom keys, volumes) exists in its namespace and has the keys asked for, unless the reference is marked `optional: true`.',
  remediation: 'Create the ConfigMap/Secret in the same namespace as the workload, or fix the name or key in the reference.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'],
  *check({ unit }) {
    for (const o of unit.objects) {
      const t = podTemplate(o);
      if (!t) continue;
      const ns = namespaceOf(o);
      const ref = function* (kind: 'ConfigMap' | 'Secret', name: unknown, key: unknown, optional: unknown, path: Path): Generator<RawFinding> {
        if (optional === true || typeof name !== 'string') return;
        const target = findObject(unit.objects, kind, name, ns);
        if (!target) yield { object: o, path, message: `${kind} "${name}" does not exist in namespace "${ns}"` };
        else if (typeof key === 'string' && !keysOf(target).has(key)) yield { object: o, path, message: `${kind} "${name}" has no key "${key}"` };
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
