/** Helpers that read Kubernetes objects defensively (inputs can be any shape). */
import type { K8sObject, Path } from './model.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Any = any;

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'];

export function isRecord(v: unknown): v is Record<string, Any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function namespaceOf(o: K8sObject): string {
  return o.namespace ?? 'default';
}

export function labelsOf(o: K8sObject): Record<string, string> {
  const l = o.data?.metadata?.labels;
  return isRecord(l) ? l : {};
}

export function annotationsOf(o: K8sObject): Record<string, string> {
  const a = o.data?.metadata?.annotations;
  return isRecord(a) ? a : {};
}

export interface PodTemplate {
  readonly labels: Record<string, string>;
  readonly spec: Any;
  /** Path of the pod spec inside the object. */
  readonly specPath: Path;
}

export function podTemplate(o: K8sObject): PodTemplate | undefined {
  const d = o.data;
  if (o.kind === 'Pod') return { labels: labelsOf(o), spec: isRecord(d.spec) ? d.spec : {}, specPath: ['spec'] };
  const tpl = o.kind === 'CronJob' ? d?.spec?.jobTemplate?.spec?.template : WORKLOAD_KINDS.includes(o.kind) ? d?.spec?.template : undefined;
  if (!isRecord(tpl)) return undefined;
  const base: Path = o.kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
  const labels = isRecord(tpl.metadata?.labels) ? tpl.metadata.labels : {};
  return { labels, spec: isRecord(tpl.spec) ? tpl.spec : {}, specPath: [...base, 'spec'] };
}

export interface ContainerRef {
  readonly c: Any;
  readonly path: Path;
  readonly init: boolean;
}

export function containersOf(o: K8sObject, includeInit = true): ContainerRef[] {
  const t = podTemplate(o);
  if (!t) return [];
  const out: ContainerRef[] = [];
  const lists: [string, boolean][] = includeInit ? [['containers', false], ['initContainers', true]] : [['containers', false]];
  for (const [field, init] of lists) {
    const list = t.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (isRecord(c)) out.push({ c, path: [...t.specPath, field, i], init });
    });
  }
  return out;
}

export function workloads(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter((o) => podTemplate(o) !== undefined);
}

/** Replicas a controller asks for (1 when unset, as the API defaults it). */
export function replicasOf(o: K8sObject): number | undefined {
  if (!['Deployment', 'StatefulSet', 'ReplicaSet'].includes(o.kind)) return undefined;
  const r = o.data?.spec?.replicas;
  return typeof r === 'number' ? r : 1;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selectorMatches(sel: Any, labels: Record<string, string>): boolean {
  if (!isRecord(sel)) return false;
  const ml = isRecord(sel.matchLabels) ? sel.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== String(v)) return false;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  for (const e of exprs) {
    if (!isRecord(e)) return false;
    const has = Object.hasOwn(labels, e.key);
    const values: string[] = Array.isArray(e.values) ? e.values.map(String) : [];
    const v = labels[e.key];
    if (e.operator === 'In' && !(has && v !== undefined && values.includes(v))) return false;
    if (e.operator === 'NotIn' && has && v !== undefined && values.includes(v)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return Object.keys(ml).length > 0 || exprs.length > 0;
}

/** A Service-style selector (plain map): every pair must be on the pod. */
export function mapSelectorMatches(sel: Any, labels: Record<string, string>): boolean {
  if (!isRecord(sel) || Object.keys(sel).length === 0) return false;
  return Object.entries(sel).every(([k, v]) => labels[k] === String(v));
}

export function findObject(objects: readonly K8sObject[], kind: string, name: string, namespace: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.name === name && namespaceOf(o) === namespace);
}

export function byKind(objects: readonly K8sObject[], ...kinds: string[]): K8sObject[] {
  return objects.filter((o) => kinds.includes(o.kind));
}

/** Parses a memory quantity ("128M", "128Mi", "1G") into bytes; undefined when malformed. */
export function memoryBytes(q: unknown): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T|m)?$/.exec(String(q ?? '').trim());
  if (!m) return undefined;
  const units: Record<string, number> = { '': 1, m: 0.001, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return Number(m[1]) * (units[m[2] ?? ''] ?? 1);
}
