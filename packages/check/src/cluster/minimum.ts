/**
 * The smallest cluster of a given node shape on which a set of manifests works: every pod
 * placed, every rolling update completes, every node drains. For docs and tests ("needs 3
 * workers of 2 CPU / 4 GiB"); a linear search over the number of workers.
 */
import type { K8sObject } from '../model.js';
import { analyzeCluster, type ClusterReport } from './analyze.js';
import { clusterNode, type ClusterModel } from './model.js';

export interface MinimumOptions {
  /** CPU and memory of each worker (default 2 CPU / 4 GiB, the course's nodes). */
  readonly cpuMillis?: number;
  readonly memoryBytes?: number;
  /** Zones the workers are spread over, round robin (default one). */
  readonly zones?: number;
  /** Give up after this many workers (default 12). */
  readonly maxWorkers?: number;
}

export interface MinimumCluster {
  readonly workers: number;
  readonly cluster: ClusterModel;
  readonly report: ClusterReport;
}

/** Whether the manifests work on the cluster of this report. */
export function works(r: ClusterReport): boolean {
  return r.pending.length === 0 && r.rollouts.every((x) => x.completes) && r.drains.every((d) => d.completes);
}

/** A tainted control plane plus n workers; undefined when none up to maxWorkers suffices. */
export function minimumCluster(objects: readonly K8sObject[], o: MinimumOptions = {}): MinimumCluster | undefined {
  const zones = Math.max(1, o.zones ?? 1);
  for (let n = 1; n <= (o.maxWorkers ?? 12); n++) {
    const cluster: ClusterModel = {
      name: `1 tainted control plane + ${n} worker${n === 1 ? '' : 's'}`,
      nodes: [
        clusterNode('control-plane', { zone: 'zone-1', controlPlane: true }),
        ...Array.from({ length: n }, (_, i) =>
          clusterNode(`worker-${i + 1}`, { zone: `zone-${(i % zones) + 1}`, ...(o.cpuMillis !== undefined ? { cpuMillis: o.cpuMillis } : {}), ...(o.memoryBytes !== undefined ? { memoryBytes: o.memoryBytes } : {}) }),
        ),
      ],
    };
    const report = analyzeCluster(objects, cluster);
    if (works(report)) return { workers: n, cluster, report };
  }
  return undefined;
}
