/**
 * A small, deterministic model of kube-scheduler's filters: for one pod and one node, the first
 * predicate that fails, in words; and the choice of a node among those that pass. It models what
 * decides whether a pod can run at all (taints, node affinity, requests, host ports, topology
 * spread, pod affinity and anti-affinity), not the fine scoring of a real scheduler.
 * https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/
 */
import { formatTaint, nodeMatchesTerms, selects, tolerates, withMatchLabelKeys } from './labels.js';
import type { ClusterModel, ClusterNode } from './model.js';
import type { PodAffinityTerm, PodModel, SpreadConstraint } from './pod.js';
import { formatCpu, formatMemory } from './quantity.js';

export interface NodeState {
  readonly node: ClusterNode;
  readonly index: number;
  cpuUsed: number;
  memoryUsed: number;
  pods: PodModel[];
  /** How many of its pods carry required anti-affinity (most nodes: none, so the symmetric check skips them). */
  antiAffine: number;
  cordoned: boolean;
}

/** Why one node cannot take a pod. */
export interface NodeReason {
  readonly node: string;
  readonly reason: string;
}

export class ClusterState {
  readonly nodes: NodeState[];

  constructor(
    readonly cluster: ClusterModel,
    nodes?: NodeState[],
  ) {
    this.nodes = nodes ?? cluster.nodes.map((node, index) => ({ node, index, cpuUsed: 0, memoryUsed: 0, pods: [], antiAffine: 0, cordoned: false }));
  }

  clone(): ClusterState {
    return new ClusterState(
      this.cluster,
      this.nodes.map((n) => ({ ...n, pods: [...n.pods] })),
    );
  }

  bind(pod: PodModel, n: NodeState): void {
    n.pods.push(pod);
    if (pod.template.antiAffinity.length > 0) n.antiAffine += 1;
    n.cpuUsed += pod.template.cpuMillis;
    n.memoryUsed += pod.template.memoryBytes;
  }

  remove(pod: PodModel): NodeState | undefined {
    for (const n of this.nodes) {
      const i = n.pods.indexOf(pod);
      if (i < 0) continue;
      n.pods.splice(i, 1);
      if (pod.template.antiAffinity.length > 0) n.antiAffine -= 1;
      n.cpuUsed -= pod.template.cpuMillis;
      n.memoryUsed -= pod.template.memoryBytes;
      return n;
    }
    return undefined;
  }

  nodeOf(pod: PodModel): NodeState | undefined {
    return this.nodes.find((n) => n.pods.includes(pod));
  }

  /** Places the pod on the best node that passes every filter; otherwise returns why each node failed. */
  schedule(pod: PodModel): { node: NodeState } | { reasons: NodeReason[] } {
    const reasons: NodeReason[] = [];
    let best: NodeState | undefined;
    let bestScore: number[] = [];
    for (const n of this.nodes) {
      const reason = this.filter(pod, n);
      if (reason !== undefined) {
        reasons.push({ node: n.node.name, reason });
        continue;
      }
      const s = this.score(pod, n);
      if (!best || lessThan(s, bestScore)) {
        best = n;
        bestScore = s;
      }
    }
    if (!best) return { reasons };
    this.bind(pod, best);
    return { node: best };
  }

  /** The first filter the node fails for this pod, in words; undefined when the pod fits. */
  filter(pod: PodModel, n: NodeState): string | undefined {
    const t = pod.template;
    if (t.nodeName !== undefined && t.nodeName !== n.node.name) return `is not the node named in spec.nodeName (${t.nodeName})`;
    if (n.cordoned && !tolerates(t.tolerations, UNSCHEDULABLE)) return 'is cordoned (being drained)';
    const taint = n.node.taints.find((x) => x.effect !== 'PreferNoSchedule' && !tolerates(t.tolerations, x));
    if (taint) return `has the taint ${formatTaint(taint)}, which the pod does not tolerate`;
    if (!matchesNodeSelection(pod, n.node)) return "does not match the pod's nodeSelector/node affinity";
    const a = n.node.allocatable;
    if (n.pods.length + 1 > a.pods) return `already runs its maximum of ${a.pods} pods`;
    if (n.cpuUsed + t.cpuMillis > a.cpuMillis) return `has ${formatCpu(Math.max(0, a.cpuMillis - n.cpuUsed))} free of ${formatCpu(a.cpuMillis)}, the pod requests ${formatCpu(t.cpuMillis)}`;
    if (n.memoryUsed + t.memoryBytes > a.memoryBytes) return `has ${formatMemory(Math.max(0, a.memoryBytes - n.memoryUsed))} memory free of ${formatMemory(a.memoryBytes)}, the pod requests ${formatMemory(t.memoryBytes)}`;
    for (const port of t.hostPorts) {
      const holder = n.pods.find((p) => p.template.hostPorts.includes(port));
      if (holder) return `has host port ${port} taken by ${holder.name}`;
    }
    for (const c of t.spread) {
      if (!c.hard) continue;
      const reason = this.spreadFails(pod, n, c);
      if (reason) return reason;
    }
    return this.interPodFails(pod, n);
  }

  private spreadFails(pod: PodModel, n: NodeState, c: SpreadConstraint): string | undefined {
    const domain = n.node.labels[c.topologyKey];
    if (domain === undefined) return `has no label ${c.topologyKey}, which the pod's topology spread constraint (DoNotSchedule) requires`;
    const { counts, selector } = this.domainCounts(pod, c);
    let min = Infinity;
    let minDomain = '';
    for (const [d, count] of counts) {
      if (count < min) {
        min = count;
        minDomain = d;
      }
    }
    // Fewer eligible domains than minDomains: the global minimum is taken as 0.
    if (counts.size < c.minDomains) {
      min = 0;
      minDomain = `fewer than minDomains ${c.minDomains} domains`;
    }
    const self = selects(selector, pod.labels, false) ? 1 : 0;
    const skew = (counts.get(domain) ?? 0) + self - (Number.isFinite(min) ? min : 0);
    if (skew <= c.maxSkew) return undefined;
    const here = counts.get(domain) ?? 0;
    return `would exceed the topology spread on ${c.topologyKey} (maxSkew ${c.maxSkew}): ${here} matching pod${here === 1 ? '' : 's'} here against ${min} on ${minDomain}`;
  }

  /**
   * Matching pods per domain of the constraint's key, over the eligible nodes: those with the
   * key, minus (by default) the nodes the pod's nodeSelector/affinity excludes, and (only with
   * nodeTaintsPolicy Honor) those with taints it does not tolerate. Only pods of the pod's own
   * namespace count.
   * https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
   */
  domainCounts(pod: PodModel, c: SpreadConstraint): { counts: Map<string, number>; selector: unknown } {
    const selector = withMatchLabelKeys(c.selector, c.matchLabelKeys, pod.labels);
    const counts = new Map<string, number>();
    for (const m of this.nodes) {
      const d = m.node.labels[c.topologyKey];
      if (d === undefined) continue;
      if (c.honorNodeAffinity && !matchesNodeSelection(pod, m.node)) continue;
      if (c.honorTaints && (untolerated(pod, m.node) || (m.cordoned && !tolerates(pod.template.tolerations, UNSCHEDULABLE)))) continue;
      const here = m.pods.filter((p) => p.namespace === pod.namespace && selects(selector, p.labels, false)).length;
      counts.set(d, (counts.get(d) ?? 0) + here);
    }
    return { counts, selector };
  }

  private interPodFails(pod: PodModel, n: NodeState): string | undefined {
    for (const term of pod.template.antiAffinity) {
      const holder = this.podsInDomain(n, term.topologyKey).find((p) => termSelects(term, pod, p));
      if (holder) return `${where(term.topologyKey, n)}already runs ${holder.name}, excluded by the pod's anti-affinity on ${term.topologyKey}`;
    }
    // Anti-affinity is symmetric: a running pod's required anti-affinity also keeps this one away.
    for (const m of this.nodes) {
      if (m.antiAffine === 0) continue;
      for (const p of m.pods) {
        for (const term of p.template.antiAffinity) {
          const d = m.node.labels[term.topologyKey];
          if (d !== undefined && n.node.labels[term.topologyKey] === d && termSelects(term, p, pod)) {
            return `${where(term.topologyKey, n)}runs ${p.name}, whose anti-affinity on ${term.topologyKey} excludes this pod`;
          }
        }
      }
    }
    for (const term of pod.template.affinity) {
      if (this.podsInDomain(n, term.topologyKey).some((p) => termSelects(term, pod, p))) continue;
      // The first pod of a group that selects itself may go anywhere.
      const anywhere = this.nodes.some((m) => m.pods.some((p) => termSelects(term, pod, p)));
      if (!anywhere && termSelects(term, pod, pod)) continue;
      return `${where(term.topologyKey, n)}runs no pod that the pod's required affinity on ${term.topologyKey} asks for`;
    }
    return undefined;
  }

  private podsInDomain(n: NodeState, key: string): PodModel[] {
    const d = n.node.labels[key];
    if (d === undefined) return [];
    return this.nodes.filter((m) => m.node.labels[key] === d).flatMap((m) => m.pods);
  }

  /** Lower is better: soft spread, spreading a workload's own pods, preferred anti-affinity, then the least allocated node. */
  private score(pod: PodModel, n: NodeState): number[] {
    let soft = 0;
    for (const c of pod.template.spread) {
      const d = n.node.labels[c.topologyKey];
      if (!c.hard && d !== undefined) soft += this.domainCounts(pod, c).counts.get(d) ?? 0;
    }
    const own = n.pods.filter((p) => p.workload === pod.workload).length;
    let preferred = 0;
    for (const term of pod.template.preferredAntiAffinity) preferred += this.podsInDomain(n, term.topologyKey).filter((p) => termSelects(term, pod, p)).length;
    const soFar = n.node.taints.filter((x) => x.effect === 'PreferNoSchedule' && !tolerates(pod.template.tolerations, x)).length;
    const a = n.node.allocatable;
    const load = (n.cpuUsed + pod.template.cpuMillis) / Math.max(1, a.cpuMillis) + (n.memoryUsed + pod.template.memoryBytes) / Math.max(1, a.memoryBytes);
    return [soft, preferred, soFar, own, load, n.index];
  }
}

function lessThan(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/** The taint a cordoned node carries (so a topology spread honouring taints leaves it out). */
const UNSCHEDULABLE = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;

function untolerated(pod: PodModel, node: ClusterNode): boolean {
  return node.taints.some((x) => x.effect !== 'PreferNoSchedule' && !tolerates(pod.template.tolerations, x));
}

export function matchesNodeSelection(pod: PodModel, node: ClusterNode): boolean {
  for (const [k, v] of Object.entries(pod.template.nodeSelector)) if (node.labels[k] !== v) return false;
  const terms = pod.template.nodeAffinity;
  return terms === undefined || nodeMatchesTerms(terms, node);
}

/** Whether an affinity term of `owner` selects `other` (namespace and labels). */
function termSelects(term: PodAffinityTerm, owner: PodModel, other: PodModel): boolean {
  if (term.namespaces && !term.namespaces.has(other.namespace)) return false;
  return selects(withMatchLabelKeys(term.selector, term.matchLabelKeys, owner.labels), other.labels, true);
}

function where(key: string, n: NodeState): string {
  return key === 'kubernetes.io/hostname' ? '' : `is in ${key}=${n.node.labels[key] ?? ''}, which `;
}
