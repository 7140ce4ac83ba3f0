/**
 * Which Secret key each environment variable of a container comes from, so that two containers
 * holding the same credential can be recognised whatever they call the variable.
 */
import type { ContainerRef } from '../k8s.js';
import type { ExternalObject, K8sObject } from '../model.js';
import { at, records, str } from '../read.js';
import { resolveRef } from '../refs.js';

export interface SecretKey {
  readonly namespace: string;
  readonly secret: string;
  readonly key: string;
}

export function secretKeyId(k: SecretKey): string {
  return `${k.namespace}/${k.secret}/${k.key}`;
}

/**
 * Variable name → the Secret key it is read from (explicit `env` wins over `envFrom`, as in
 * Kubernetes). A Secret named by `envFrom` that is neither in the input nor declared external is
 * taken to hold the variable's name as its key (same Secret, same key: same value).
 */
export function secretSources(objects: readonly K8sObject[], external: readonly ExternalObject[], namespace: string, c: ContainerRef): Map<string, SecretKey> {
  const out = new Map<string, SecretKey>();
  const explicit = new Set<string>();
  for (const { value: e } of records(c.c.env)) {
    const name = str(e.name);
    if (name === undefined) continue;
    explicit.add(name);
    const ref = at(e, 'valueFrom', 'secretKeyRef');
    const secret = str(at(ref, 'name'));
    const key = str(at(ref, 'key'));
    if (secret !== undefined && key !== undefined) out.set(name, { namespace, secret, key });
  }
  for (const { value: f } of records(c.c.envFrom)) {
    const secret = str(at(f, 'secretRef', 'name'));
    if (secret === undefined) continue;
    const prefix = str(f.prefix) ?? '';
    const target = resolveRef(objects, external, 'Secret', secret, namespace);
    for (const key of target?.keys ?? []) {
      const name = prefix + key;
      if (!explicit.has(name) && !out.has(name)) out.set(name, { namespace, secret, key });
    }
  }
  return out;
}

/** The variable, when a container reads it from envFrom of a Secret the input does not show. */
export function unresolvedEnvFrom(objects: readonly K8sObject[], external: readonly ExternalObject[], namespace: string, c: ContainerRef, name: string): SecretKey | undefined {
  for (const { value: f } of records(c.c.envFrom)) {
    const secret = str(at(f, 'secretRef', 'name'));
    const prefix = str(f.prefix) ?? '';
    if (secret === undefined || !name.startsWith(prefix)) continue;
    if (resolveRef(objects, external, 'Secret', secret, namespace)) continue;
    return { namespace, secret, key: name.slice(prefix.length) };
  }
  return undefined;
}
