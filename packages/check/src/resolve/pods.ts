/** The containers of a workload, with the pod spec they share (for the resolution analyses). */
import { containersOf, podTemplate } from '../k8s.js';
import type { K8sObject, Path } from '../model.js';

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

/** Containers and init containers, in that order. */
export function containersIn(o: K8sObject): ContainerAt[] {
  const t = podTemplate(o);
  if (!t) return [];
  const pod = { spec: t.spec, path: t.specPath };
  return containersOf(o).map((c) => ({ container: c.c, name: c.name ?? '?', path: c.path, pod }));
}

/** "Deployment "poll"", for messages. */
export function describe(o: K8sObject): string {
  return `${o.kind} "${o.name}"`;
}
