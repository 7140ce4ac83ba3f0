/**
 * The pod spec and containers of a workload, read through the typed accessors (manifest data is
 * user input of any shape). The resolution analyses use these instead of the looser helpers.
 */
import type { K8sObject, Path } from '../model.js';
import { at, isRecord, records, stringMap } from '../read.js';

export interface PodSpecAt {
  readonly spec: Readonly<Record<string, unknown>>;
  /** Path of the pod spec inside the object. */
  readonly path: Path;
}

export interface ContainerAt {
  readonly container: Readonly<Record<string, unknown>>;
  readonly name: string;
  /** Path of the container inside the object. */
  readonly path: Path;
  readonly pod: PodSpecAt;
}

const TEMPLATED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

export function podSpecOf(o: K8sObject): PodSpecAt | undefined {
  const path: Path | undefined =
    o.kind === 'Pod' ? ['spec'] : o.kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template', 'spec'] : TEMPLATED.has(o.kind) ? ['spec', 'template', 'spec'] : undefined;
  if (!path) return undefined;
  const spec = at(o.data, ...path);
  return isRecord(spec) ? { spec, path } : undefined;
}

/** Containers and init containers, in that order. */
export function containersIn(o: K8sObject): ContainerAt[] {
  const pod = podSpecOf(o);
  if (!pod) return [];
  return ['containers', 'initContainers'].flatMap((field) =>
    records(pod.spec[field]).map(({ value, index }) => ({
      container: value,
      name: typeof value.name === 'string' ? value.name : '?',
      path: [...pod.path, field, index],
      pod,
    })),
  );
}

/** Labels of the object's metadata. */
export function labelsOfObject(o: K8sObject): Record<string, string> {
  return stringMap(at(o.data, 'metadata', 'labels'));
}

/** "Deployment "poll"", for messages. */
export function describe(o: K8sObject): string {
  return `${o.kind} "${o.name}"`;
}

export function namespaceOfObject(o: K8sObject): string {
  return o.namespace ?? 'default';
}
