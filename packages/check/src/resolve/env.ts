/**
 * The value a container would see for an environment variable, resolved the way the kubelet
 * does: `env` wins over `envFrom`; among duplicates the last entry wins (for `envFrom`, "the
 * value associated with the last source will take precedence",
 * https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/#configure-all-key-value-pairs-in-a-secret-as-container-environment-variables).
 * Only values the input states are resolved: a literal, or a ConfigMap of the input.
 */
import type { K8sObject, Path } from '../model.js';
import { at, isRecord, list, record, records, str } from '../read.js';
import type { ContainerAt } from './pods.js';

/** Where a resolved value is written, for the finding's location. */
export interface ValueSite {
  readonly object: K8sObject;
  readonly path: Path;
  /** "its env" or "ConfigMap "redis"", for messages. */
  readonly source: string;
}

export type EnvResolution =
  | ({ readonly state: 'value'; readonly value: string } & ValueSite)
  /** Not set by env nor by any envFrom source the input shows. */
  | { readonly state: 'unset' }
  /** Set from something the input cannot show (a Secret, a field, a ConfigMap not in the input). */
  | { readonly state: 'opaque' };

function configMap(objects: readonly K8sObject[], name: unknown, namespace: string): K8sObject | undefined {
  return typeof name === 'string' ? objects.find((o) => o.kind === 'ConfigMap' && o.name === name && (o.namespace ?? 'default') === namespace) : undefined;
}

function scalar(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function resolveEnv(objects: readonly K8sObject[], owner: K8sObject, c: ContainerAt, name: string): EnvResolution {
  const namespace = owner.namespace ?? 'default';
  const env = records(c.container.env).filter(({ value }) => value.name === name);
  const last = env[env.length - 1];
  if (last) {
    const e = last.value;
    const ref = at(e, 'valueFrom', 'configMapKeyRef');
    if (isRecord(ref)) {
      const cm = configMap(objects, ref.name, namespace);
      const key = str(ref.key);
      const v = key === undefined ? undefined : scalar(at(cm?.data, 'data', key));
      return cm && key !== undefined && v !== undefined ? { state: 'value', value: v, object: cm, path: ['data', key], source: `ConfigMap "${cm.name}"` } : { state: 'opaque' };
    }
    if (e.valueFrom !== undefined) return { state: 'opaque' };
    return { state: 'value', value: scalar(e.value) ?? '', object: owner, path: [...c.path, 'env', last.index, 'value' in e ? 'value' : 'name'], source: 'its env' };
  }
  const from = list(c.container.envFrom);
  for (let i = from.length - 1; i >= 0; i--) {
    const f = from[i];
    if (!isRecord(f)) continue;
    const prefix = str(f.prefix) ?? '';
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    if (isRecord(f.secretRef)) {
      // A Secret's values are not read; one of the input without the key does not set it.
      const secret = objects.find((o) => o.kind === 'Secret' && o.name === at(f, 'secretRef', 'name') && (o.namespace ?? 'default') === namespace);
      if (!secret || ['data', 'stringData'].some((d) => isRecord(at(secret.data, d)) && Object.hasOwn(record(at(secret.data, d)), key))) return { state: 'opaque' };
      continue;
    }
    if (!isRecord(f.configMapRef)) continue;
    const cm = configMap(objects, f.configMapRef.name, namespace);
    if (!cm) return { state: 'opaque' };
    const v = scalar(at(cm.data, 'data', key));
    if (v !== undefined) return { state: 'value', value: v, object: cm, path: ['data', key], source: `ConfigMap "${cm.name}"` };
  }
  return { state: 'unset' };
}
