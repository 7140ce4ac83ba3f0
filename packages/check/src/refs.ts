/**
 * Resolves what a reference names: an object of the input, or one declared external (created in
 * the cluster out of band). Cross-reference rules ask here, so a declared object counts as
 * existing while its keys are still checked.
 */
import { dataKeysOf, namespaceOf } from './k8s.js';
import type { ExternalObject, K8sObject } from './model.js';

export interface RefTarget {
  /** Keys of a Secret/ConfigMap (empty for other kinds). */
  readonly keys: ReadonlySet<string>;
  /** Set when the target is a declaration rather than an object of the input. */
  readonly external?: ExternalObject;
}

/** PersistentVolumes have no namespace. */
const CLUSTER_SCOPED = new Set(['PersistentVolume']);

export function resolveRef(objects: readonly K8sObject[], external: readonly ExternalObject[], kind: string, name: string, namespace: string): RefTarget | undefined {
  const scoped = !CLUSTER_SCOPED.has(kind);
  const o = objects.find((x) => x.kind === kind && x.name === name && (!scoped || namespaceOf(x) === namespace));
  if (o) return { keys: new Set(dataKeysOf(o)) };
  const e = external.find((x) => x.kind === kind && x.name === name && (!scoped || x.namespace === undefined || x.namespace === namespace));
  return e ? { keys: new Set(e.keys ?? []), external: e } : undefined;
}

/** "Secret "x"" or "Secret "x" (declared external in f)", for messages about keys. */
export function describeTarget(kind: string, name: string, t: RefTarget): string {
  return t.external ? `${kind} "${name}" (declared external in ${t.external.source})` : `${kind} "${name}"`;
}
