/** Wording shared by the cluster rules' messages. */
import type { NodeReason } from './scheduler.js';
import type { ClusterModel } from './model.js';
import type { Workload } from './pod.js';

/** "worker-1 has the taint …; worker-2 already runs poll-1, …" (one clause per node). */
export function reasons(list: readonly NodeReason[]): string {
  return list.length === 0 ? 'the cluster has no node' : list.map((r) => `${r.node} ${r.reason}`).join('; ');
}

export function onCluster(cluster: ClusterModel): string {
  return `on cluster ${cluster.name}`;
}

/** "Deployment poll" (the namespace only when it is not the default one). */
export function workloadName(w: Workload): string {
  return `${w.kind} ${w.namespace === 'default' ? '' : `${w.namespace}/`}${w.name}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Path of the pod spec inside a workload object, for the line of a finding. */
export function specPath(kind: string): readonly string[] {
  if (kind === 'Pod') return ['spec'];
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
  return ['spec', 'template', 'spec'];
}
