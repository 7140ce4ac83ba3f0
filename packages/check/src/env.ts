/** Where a container's environment variable comes from. */
import type { ContainerRef } from './k8s.js';
import type { ExternalObject, K8sObject } from './model.js';
import { at, isRecord, record, records, str } from './read.js';
import { resolveRef } from './refs.js';

export type EnvSource = 'configmap' | 'secret' | 'literal' | 'other';

/** The source of `name` in container `c` (explicit env wins over envFrom, as in Kubernetes). */
export function envSource(objects: readonly K8sObject[], namespace: string, c: ContainerRef, name: string, external: readonly ExternalObject[] = []): EnvSource | undefined {
  const e = records(c.c.env).find(({ value }) => value.name === name)?.value;
  if (e) {
    if (isRecord(at(e, 'valueFrom', 'configMapKeyRef'))) return 'configmap';
    if (isRecord(at(e, 'valueFrom', 'secretKeyRef'))) return 'secret';
    return e.valueFrom ? 'other' : 'literal';
  }
  for (const { value: f } of records(c.c.envFrom)) {
    const prefix = str(f.prefix) ?? '';
    const has = (kind: string, ref: unknown) => [...(resolveRef(objects, external, kind, String(ref), namespace)?.keys ?? [])].some((k) => prefix + k === name);
    if (isRecord(f.configMapRef) && has('ConfigMap', f.configMapRef.name)) return 'configmap';
    if (isRecord(f.secretRef) && has('Secret', f.secretRef.name)) return 'secret';
  }
  return undefined;
}

/** Keys a ConfigMap or Secret defines for the environment (`data` and `stringData`). */
export function dataKeys(o: K8sObject): string[] {
  return [...Object.keys(record(at(o.data, 'data'))), ...Object.keys(record(at(o.data, 'stringData')))];
}
