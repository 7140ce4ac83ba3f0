/** Which nodes of the cluster model a pod may run on, as far as storage analyses need it. */
import type { ClusterModel, ClusterNode } from '../cluster/model.js';
import { nodeMatchesTerms } from '../cluster/labels.js';
import { at, records } from '../read.js';

/** Nodes without a NoSchedule/NoExecute taint: where an ordinary pod (no tolerations) can land. */
export function schedulableNodes(cluster: ClusterModel): ClusterNode[] {
  return cluster.nodes.filter((n) => !n.taints.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'));
}

/**
 * Whether a node satisfies a NodeSelector (`nodeSelectorTerms` ORed, the expressions of a term
 * ANDed; https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity).
 */
export function nodeSelectorMatches(selector: unknown, node: ClusterNode): boolean {
  return nodeMatchesTerms(records(at(selector, 'nodeSelectorTerms')).map(({ value }) => value), node);
}
