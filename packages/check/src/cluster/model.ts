/**
 * The cluster the checker reasons about when it asks "would this schedule, roll out, drain,
 * bind?". Nothing here talks to a cluster: it is a description of nodes, as a user would write
 * it in a small cluster file (`--cluster FILE`), with the course's minimum as the default.
 */

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

export interface Allocatable {
  /** CPU in millicores. */
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly pods: number;
}

export interface ClusterNode {
  readonly name: string;
  /** Includes `kubernetes.io/hostname` and, where the cluster has them, zone labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly allocatable: Allocatable;
}

export interface ClusterModel {
  /** Shown in findings ("on the default cluster: 1 control plane + 2 workers"). */
  readonly name: string;
  readonly nodes: readonly ClusterNode[];
  /** The StorageClass marked default, if the cluster has one. */
  readonly defaultStorageClass?: string;
}

const GiB = 1024 ** 3;

function node(name: string, zone: string, controlPlane: boolean): ClusterNode {
  return {
    name,
    labels: {
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'topology.kubernetes.io/zone': zone,
      ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
    },
    taints: controlPlane ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : [],
    allocatable: { cpuMillis: 2000, memoryBytes: 4 * GiB, pods: 110 },
  };
}

/**
 * The course's minimum: one control-plane node tainted NoSchedule and two workers, 2 CPU and
 * 4 GiB allocatable each, all in one zone (a single-zone cluster must stay schedulable).
 */
export const DEFAULT_CLUSTER: ClusterModel = {
  name: 'default (1 tainted control plane + 2 workers, 2 CPU / 4 GiB each)',
  nodes: [node('control-plane', 'zone-a', true), node('worker-1', 'zone-a', false), node('worker-2', 'zone-a', false)],
};
