/** Which nodes of the cluster model a pod may run on, as far as storage analyses need it. */
import type { ClusterModel, ClusterNode } from '../cluster/model.js';
import { at, num, records, str, strings } from '../read.js';

/** Nodes without a NoSchedule/NoExecute taint: where an ordinary pod (no tolerations) can land. */
export function schedulableNodes(cluster: ClusterModel): ClusterNode[] {
  return cluster.nodes.filter((n) => !n.taints.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'));
}

function expressionMatches(e: Readonly<Record<string, unknown>>, value: string | undefined): boolean {
  const values = strings(e.values);
  switch (e.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const n = Number(value);
      const bound = num(Number(values[0]));
      if (value === undefined || !Number.isFinite(n) || bound === undefined) return false;
      return e.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

/**
 * Whether a node satisfies a NodeSelector (`nodeSelectorTerms` ORed, the expressions of a term
 * ANDed; https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity).
 */
export function nodeSelectorMatches(selector: unknown, node: ClusterNode): boolean {
  return records(at(selector, 'nodeSelectorTerms')).some(({ value: term }) => {
    const exprs = records(term.matchExpressions).map(({ value }) => expressionMatches(value, node.labels[str(value.key) ?? '']));
    const fields = records(term.matchFields).map(({ value }) => expressionMatches(value, str(value.key) === 'metadata.name' ? node.name : undefined));
    const all = [...exprs, ...fields];
    return all.length > 0 && all.every(Boolean);
  });
}
