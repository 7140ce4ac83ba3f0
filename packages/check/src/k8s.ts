/**
 * Typed views of Kubernetes objects, built on the readers of read.ts: manifest data is `unknown`
 * (user input of any shape), and every helper here returns typed values.
 */
import { isKindOf, POD_TEMPLATE_KINDS, REPLICATED_KINDS } from './kinds.js';
import type { K8sObject, Path } from './model.js';
import { at, isRecord, list, record, records, str, stringMap } from './read.js';

export { isRecord } from './read.js';

export function namespaceOf(o: K8sObject): string {
  return o.namespace ?? 'default';
}

export function labelsOf(o: K8sObject): Record<string, string> {
  return stringMap(at(o.data, 'metadata', 'labels'));
}

export function annotationsOf(o: K8sObject): Record<string, string> {
  return stringMap(at(o.data, 'metadata', 'annotations'));
}

export interface PodTemplate {
  /** Labels of the pods (the template's; a Pod's own). */
  readonly labels: Record<string, string>;
  /** The pod spec (empty when absent or malformed). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Path of the pod spec inside the object. */
  readonly specPath: Path;
}

export function podTemplate(o: K8sObject): PodTemplate | undefined {
  if (o.kind === 'Pod') return { labels: labelsOf(o), spec: record(at(o.data, 'spec')), specPath: ['spec'] };
  if (!isKindOf(POD_TEMPLATE_KINDS, o.kind)) return undefined;
  const base: Path = o.kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
  const tpl = at(o.data, ...base);
  if (!isRecord(tpl)) return undefined;
  return { labels: stringMap(at(tpl, 'metadata', 'labels')), spec: record(tpl.spec), specPath: [...base, 'spec'] };
}

/** One container of a pod template, with the fields most rules read already typed. */
export interface ContainerRef {
  /** The container as written. */
  readonly c: Readonly<Record<string, unknown>>;
  readonly name: string | undefined;
  readonly image: string | undefined;
  /** Path of the container inside the object. */
  readonly path: Path;
  readonly init: boolean;
  /** Index in its list (`containers` or `initContainers`). */
  readonly index: number;
}

export function containersOf(o: K8sObject, includeInit = true): ContainerRef[] {
  const t = podTemplate(o);
  if (!t) return [];
  const fields: [string, boolean][] = includeInit ? [['containers', false], ['initContainers', true]] : [['containers', false]];
  return fields.flatMap(([field, init]) =>
    records(t.spec[field]).map(({ value, index }) => ({ c: value, name: str(value.name), image: str(value.image), path: [...t.specPath, field, index], init, index })),
  );
}

/** "container "x"" label used in messages ("?" when the container has no name). */
export function containerLabel(c: ContainerRef): string {
  return `container "${c.name ?? '?'}"`;
}

/** The pod volumes of a workload, with their index in `volumes`. */
export function volumesOf(t: PodTemplate): { readonly value: Record<string, unknown>; readonly index: number }[] {
  return records(t.spec.volumes);
}

export function workloads(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter((o) => podTemplate(o) !== undefined);
}

/** Replicas a controller asks for (1 when unset, as the API defaults it); undefined for other kinds. */
export function replicasOf(o: K8sObject): number | undefined {
  if (!isKindOf(REPLICATED_KINDS, o.kind)) return undefined;
  const r = at(o.data, 'spec', 'replicas');
  return typeof r === 'number' ? r : 1;
}

/** A label selector (`matchLabels` / `matchExpressions`) applied to pod labels. */
export function selectorMatches(sel: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isRecord(sel)) return false;
  const ml = stringMap(sel.matchLabels);
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  const exprs = list(sel.matchExpressions);
  for (const e of exprs) {
    if (!isRecord(e)) return false;
    const key = str(e.key) ?? '';
    const has = Object.hasOwn(labels, key);
    const values = list(e.values).map(String);
    const v = labels[key];
    if (e.operator === 'In' && !(has && v !== undefined && values.includes(v))) return false;
    if (e.operator === 'NotIn' && has && v !== undefined && values.includes(v)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return Object.keys(ml).length > 0 || exprs.length > 0;
}

/** True for a label selector that selects every pod (`{}`: no matchLabels, no matchExpressions). */
export function selectsAll(sel: unknown): boolean {
  return isRecord(sel) && Object.keys(record(sel.matchLabels)).length === 0 && list(sel.matchExpressions).length === 0;
}

/** A Service-style selector (plain map): every pair must be on the pod. */
export function mapSelectorMatches(sel: unknown, labels: Readonly<Record<string, string>>): boolean {
  const m = stringMap(sel);
  if (Object.keys(m).length === 0) return false;
  return Object.entries(m).every(([k, v]) => labels[k] === v);
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string, namespace: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.name === name && namespaceOf(o) === namespace);
}

export function byKind(objects: readonly K8sObject[], ...kinds: readonly string[]): K8sObject[] {
  return objects.filter((o) => kinds.includes(o.kind));
}

/** Keys of a ConfigMap's or Secret's `data` and `stringData` (and `binaryData`). */
export function dataKeysOf(o: K8sObject): string[] {
  return ['data', 'stringData', 'binaryData'].flatMap((f) => Object.keys(record(at(o.data, f))));
}

/** Parses a memory quantity ("128M", "128Mi", "1G") into bytes; undefined when malformed. */
export function memoryBytes(q: unknown): number | undefined {
  if (typeof q !== 'string' && typeof q !== 'number') return undefined;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T|m)?$/.exec(String(q).trim());
  if (!m) return undefined;
  const units: Record<string, number> = { '': 1, m: 0.001, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return Number(m[1]) * (units[m[2] ?? ''] ?? 1);
}
