/**
 * Whether a PersistentVolumeClaim would bind, reasoned as the PV controller does
 * (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#binding and #class-1):
 * - a claim binds a volume of the same class (no class: `storageClassName` unset or ""), whose
 *   access modes include the claim's, whose capacity is at least the request, of the same
 *   volumeMode, whose labels match the claim's selector, and that is not reserved (claimRef) or
 *   taken by another claim; `volumeName` pre-binds one volume;
 * - a claim without `storageClassName` gets the cluster's default class; with no default class it
 *   is treated like `storageClassName: ""` and binds only volumes without a class (since 1.28 it
 *   also gets a default class created later, which a static analysis cannot count on);
 * - without a volume, a claim of a class whose StorageClass has a provisioner is provisioned
 *   dynamically, unless it has a selector ("a claim with a non-empty selector can't have a PV
 *   dynamically provisioned for it").
 */
import type { ClusterModel } from '../cluster/model.js';
import type { K8sObject, Path } from '../model.js';
import { at, isRecord, num, records, str, stringMap, strings } from '../read.js';

export interface Claim {
  readonly object: K8sObject;
  /** Where the claim is written (a PVC's spec, or a StatefulSet's volumeClaimTemplate). */
  readonly path: Path;
  readonly name: string;
  readonly namespace: string;
  /** Effective class; '' = no class. */
  readonly className: string;
  /** How the class was decided, for messages. */
  readonly classFrom: 'written' | 'default' | 'none';
  readonly spec: Readonly<Record<string, unknown>>;
}

export interface Volume {
  readonly object: K8sObject;
  readonly className: string;
}

const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** Bytes of a quantity ("5Gi", "500M"); undefined when malformed. */
export function quantityBytes(q: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(typeof q === 'number' ? String(q) : (str(q) ?? '').trim());
  if (!m) return undefined;
  const units: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
  return Number(m[1]) * (units[m[2] ?? ''] ?? 1);
}

function classOf(data: unknown, spec: unknown): string | undefined {
  const written = at(spec, 'storageClassName');
  if (typeof written === 'string') return written;
  return str(at(data, 'metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class'));
}

export function claimsOf(objects: readonly K8sObject[], cluster: ClusterModel): Claim[] {
  const out: Claim[] = [];
  const make = (object: K8sObject, path: Path, name: string, data: unknown): void => {
    const spec = at(data, 'spec');
    if (!isRecord(spec)) return;
    const written = classOf(data, spec);
    const className = written ?? cluster.defaultStorageClass ?? '';
    const classFrom = written !== undefined ? 'written' : cluster.defaultStorageClass !== undefined ? 'default' : 'none';
    out.push({ object, path, name, namespace: object.namespace ?? 'default', className, classFrom, spec });
  };
  for (const o of objects) {
    if (o.kind === 'PersistentVolumeClaim') make(o, ['spec'], o.name, o.data);
    if (o.kind !== 'StatefulSet') continue;
    const replicas = num(at(o.data, 'spec', 'replicas')) ?? 1;
    for (const { value, index } of records(at(o.data, 'spec', 'volumeClaimTemplates'))) {
      const tpl = str(at(value, 'metadata', 'name')) ?? '';
      for (let i = 0; i < replicas; i++) make(o, ['spec', 'volumeClaimTemplates', index], `${tpl}-${o.name}-${i}`, value);
    }
  }
  return out;
}

export function volumesOf(objects: readonly K8sObject[]): Volume[] {
  return objects.filter((o) => o.kind === 'PersistentVolume').map((object) => ({ object, className: classOf(object.data, at(object.data, 'spec')) ?? '' }));
}

export function showClass(c: string): string {
  return c === '' ? 'no class' : `class "${c}"`;
}

function labelSelectorMatches(sel: unknown, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(stringMap(at(sel, 'matchLabels')))) if (labels[k] !== v) return false;
  for (const { value: e } of records(at(sel, 'matchExpressions'))) {
    const key = str(e.key) ?? '';
    const has = Object.hasOwn(labels, key);
    const inValues = has && strings(e.values).includes(labels[key] ?? '');
    if ((e.operator === 'In' && !inValues) || (e.operator === 'NotIn' && inValues) || (e.operator === 'Exists' && !has) || (e.operator === 'DoesNotExist' && has)) return false;
  }
  return true;
}

/** Why volume `v` cannot bind claim `c` (empty when it can), ignoring which claim holds it. */
export function mismatches(c: Claim, v: Volume): string[] {
  const out: string[] = [];
  const vs = at(v.object.data, 'spec');
  if (v.className !== c.className) out.push(`is of ${showClass(v.className)}, the claim asks ${showClass(c.className)}`);
  const offered = strings(at(vs, 'accessModes'));
  const asked = strings(c.spec.accessModes);
  const lacking = asked.filter((m) => !offered.includes(m));
  if (lacking.length > 0) out.push(`offers ${offered.join(', ') || 'no access mode'}, the claim asks ${lacking.join(', ')}`);
  const request = quantityBytes(at(c.spec, 'resources', 'requests', 'storage'));
  const capacity = quantityBytes(at(vs, 'capacity', 'storage'));
  if (request !== undefined && capacity !== undefined && capacity < request) {
    out.push(`holds ${String(at(vs, 'capacity', 'storage'))}, the claim asks ${String(at(c.spec, 'resources', 'requests', 'storage'))}`);
  }
  const vMode = str(at(vs, 'volumeMode')) ?? 'Filesystem';
  const cMode = str(c.spec.volumeMode) ?? 'Filesystem';
  if (vMode !== cMode) out.push(`is a ${vMode} volume, the claim asks ${cMode}`);
  if (isRecord(c.spec.selector) && !labelSelectorMatches(c.spec.selector, stringMap(at(v.object.data, 'metadata', 'labels')))) {
    out.push("has labels that do not match the claim's selector");
  }
  return out;
}

/** The claim a volume's claimRef reserves it for ("ns/name"), if any. */
export function reservedFor(v: Volume): string | undefined {
  const ref = at(v.object.data, 'spec', 'claimRef');
  const name = str(at(ref, 'name'));
  return name === undefined ? undefined : `${str(at(ref, 'namespace')) ?? 'default'}/${name}`;
}

export function claimKey(c: Claim): string {
  return `${c.namespace}/${c.name}`;
}

/**
 * Whether a class provisions volumes: its StorageClass in the input says; the cluster's default
 * class does; a class named only by the input's own PersistentVolumes, with no StorageClass
 * object, is a label for static volumes (`storageClassName: manual`, as in the Kubernetes
 * tutorial https://kubernetes.io/docs/tasks/configure-pod-container/configure-persistent-volume-storage/)
 * and provisions nothing ('static'); any other class may be the cluster's own ('unknown').
 */
export function provisions(objects: readonly K8sObject[], cluster: ClusterModel, className: string): 'yes' | 'no' | 'static' | 'unknown' {
  if (className === '') return 'no';
  const sc = objects.find((o) => o.kind === 'StorageClass' && o.name === className);
  if (sc) return str(at(sc.data, 'provisioner')) === NO_PROVISIONER ? 'no' : 'yes';
  if (className === cluster.defaultStorageClass) return 'yes';
  const namedByVolume = objects.some((o) => o.kind === 'PersistentVolume' && str(at(o.data, 'spec', 'storageClassName')) === className);
  return namedByVolume ? 'static' : 'unknown';
}
