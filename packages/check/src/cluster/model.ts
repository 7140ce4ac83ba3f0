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
const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

interface NodeOptions {
  readonly zone?: string;
  readonly controlPlane?: boolean;
  /** Whether the control plane carries the NoSchedule taint (kubeadm: yes; k3s: no). */
  readonly tainted?: boolean;
  readonly cpuMillis?: number;
  readonly memoryBytes?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

export function clusterNode(name: string, o: NodeOptions = {}): ClusterNode {
  const controlPlane = o.controlPlane ?? false;
  return {
    name,
    labels: {
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      ...(o.zone !== undefined ? { 'topology.kubernetes.io/zone': o.zone } : {}),
      ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
      ...o.labels,
    },
    taints: controlPlane && (o.tainted ?? true) ? [CONTROL_PLANE_TAINT] : [],
    allocatable: { cpuMillis: o.cpuMillis ?? 2000, memoryBytes: o.memoryBytes ?? 4 * GiB, pods: 110 },
  };
}

/**
 * The course's minimum: one control-plane node tainted NoSchedule and two workers, 2 CPU and
 * 4 GiB allocatable each, all in one zone (a single-zone cluster must stay schedulable), with
 * a default StorageClass: the clusters the course runs on ship one (k3s and k3d: local-path;
 * kind and minikube: standard), so a claim without a class is provisioned. A cluster without
 * one is described with a cluster file that leaves `defaultStorageClass` out.
 */
export const DEFAULT_CLUSTER: ClusterModel = {
  name: 'default (1 tainted control plane + 2 workers, 2 CPU / 4 GiB each)',
  defaultStorageClass: 'standard',
  nodes: [
    clusterNode('control-plane', { zone: 'zone-a', controlPlane: true }),
    clusterNode('worker-1', { zone: 'zone-a' }),
    clusterNode('worker-2', { zone: 'zone-a' }),
  ],
};

/**
 * deploy/cluster/kind.yaml: one control plane and two workers. kubeadm taints the control plane
 * of a multi-node cluster NoSchedule; kind sets no zone label. Node sizes are the host's, taken
 * here as 2 CPU / 4 GiB. https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/create-cluster-kubeadm/#control-plane-node-isolation
 */
export const KIND_CLUSTER: ClusterModel = {
  name: 'kind (deploy/cluster/kind.yaml: tainted control plane + 2 workers, no zone labels)',
  defaultStorageClass: 'standard',
  nodes: [
    clusterNode('bernstein-control-plane', { controlPlane: true }),
    clusterNode('bernstein-worker'),
    clusterNode('bernstein-worker2'),
  ],
};

/**
 * deploy/cluster/up-k3d.sh: `k3d cluster create --servers 1 --agents 2`. A k3s server is not
 * tainted unless started with `--node-taint` (https://docs.k3s.io/datastore/ha), so all three
 * nodes take workloads; k3s sets no zone labels.
 */
export const K3D_CLUSTER: ClusterModel = {
  name: 'k3d (deploy/cluster/up-k3d.sh: 1 untainted server + 2 agents, no zone labels)',
  defaultStorageClass: 'local-path',
  nodes: [
    clusterNode('k3d-bernstein-server-0', { controlPlane: true, tainted: false, labels: { 'node-role.kubernetes.io/master': 'true', 'node-role.kubernetes.io/control-plane': 'true' } }),
    clusterNode('k3d-bernstein-agent-0'),
    clusterNode('k3d-bernstein-agent-1'),
  ],
};

/** A small production cluster: 3 tainted control planes and 6 workers (4 CPU / 16 GiB) over 3 zones. */
export const PRODUCTION_CLUSTER: ClusterModel = {
  name: 'production (3 tainted control planes + 6 workers of 4 CPU / 16 GiB over 3 zones)',
  nodes: [
    ...['a', 'b', 'c'].map((z) => clusterNode(`control-plane-${z}`, { zone: `zone-${z}`, controlPlane: true })),
    ...['a', 'b', 'c'].flatMap((z) => [1, 2].map((i) => clusterNode(`worker-${z}${i}`, { zone: `zone-${z}`, cpuMillis: 4000, memoryBytes: 16 * GiB }))),
  ],
};

/** Names accepted by `--cluster` besides a file. */
export const CLUSTER_PRESETS: Readonly<Record<string, ClusterModel>> = {
  default: DEFAULT_CLUSTER,
  kind: KIND_CLUSTER,
  k3d: K3D_CLUSTER,
  production: PRODUCTION_CLUSTER,
};
