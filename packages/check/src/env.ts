/** Where a container's environment variable comes from. */
import { isRecord, type Any } from './k8s.js';
import type { ExternalObject, K8sObject } from './model.js';
import { resolveRef } from './refs.js';

export type EnvSource = 'configmap' | 'secret' | 'literal' | 'other';

function keysOf(o: K8sObject | undefined): string[] {
  if (!o) return [];
  return [...Object.keys(isRecord(o.data?.data) ? o.data.data : {}), ...Object.keys(isRecord(o.data?.stringData) ? o.data.stringData : {})];
}

/** The source of `name` in container `c` (explicit env wins over envFrom, as in Kubernetes). */
export function envSource(objects: readonly K8sObject[], namespace: string, c: Any, name: string, external: readonly ExternalObject[] = []): EnvSource | undefined {
  const env: unknown[] = Array.isArray(c.env) ? c.env : [];
  const e = env.find((x) => isRecord(x) && x.name === name) as Any;
  if (e) {
    if (isRecord(e.valueFrom?.configMapKeyRef)) return 'configmap';
    if (isRecord(e.valueFrom?.secretKeyRef)) return 'secret';
    return e.valueFrom ? 'other' : 'literal';
  }
  const from: unknown[] = Array.isArray(c.envFrom) ? c.envFrom : [];
  for (const f of from) {
    if (!isRecord(f)) continue;
    const prefix = typeof f.prefix === 'string' ? f.prefix : '';
    const has = (kind: string, ref: string) => [...(resolveRef(objects, external, kind, ref, namespace)?.keys ?? [])].some((k) => prefix + k === name);
    if (isRecord(f.configMapRef) && has('ConfigMap', String(f.configMapRef.name))) return 'configmap';
    if (isRecord(f.secretRef) && has('Secret', String(f.secretRef.name))) return 'secret';
  }
  return undefined;
}

export function dataKeys(o: K8sObject): string[] {
  return keysOf(o);
}
