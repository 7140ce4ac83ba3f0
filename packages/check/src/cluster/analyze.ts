/**
 * What a cluster would do with a set of manifests, offline: where every pod goes (DaemonSets
 * first), what stays Pending and why, whether each rolling update completes, whether each
 * node drains under the PodDisruptionBudgets, and how many replicas each HPA maximum fits.
 * Deterministic and linear in the number of pods per question (no search over placements).
 */
import type { K8sObject } from '../model.js';
import { at, num, str, text } from '../read.js';
import type { ClusterModel } from './model.js';
import { podOf, workloadOf, type PodModel, type Workload } from './pod.js';
import { ClusterState, matchesNodeSelection, type NodeReason } from './scheduler.js';
import { selects, tolerates } from './labels.js';
import type { Taint } from './model.js';

export type { NodeReason } from './scheduler.js';

export interface PendingPod {
  readonly workload: Workload;
  readonly pod: string;
  readonly reasons: readonly NodeReason[];
}

export interface Placement {
  readonly workload: Workload;
  readonly pod: string;
  readonly node: string;
}

export interface WorkloadOutcome {
  readonly workload: Workload;
  /** Pods asked for (for a DaemonSet: the nodes it is eligible for). */
  readonly desired: number;
  readonly placed: number;
  readonly pending: readonly PendingPod[];
}

export interface RolloutResult {
  readonly workload: Workload;
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  readonly completes: boolean;
  /** When it does not complete: pods of each revision running when it stops, and the pod that cannot be placed. */
  readonly stuck?: { readonly newRunning: number; readonly oldRunning: number; readonly pending: PendingPod };
}

export interface DrainBlock {
  readonly pod: string;
  readonly workload: Workload;
  readonly pdb: K8sObject | undefined;
  readonly reason: string;
}

export interface DrainResult {
  readonly node: string;
  /** Pods evicted (DaemonSet pods are not: `kubectl drain --ignore-daemonsets`). */
  readonly evicted: number;
  readonly completes: boolean;
  /** Why the drain can never finish (a PodDisruptionBudget that never allows the eviction, an unmanaged pod). */
  readonly blocked: readonly DrainBlock[];
  /** Evicted pods whose replacement finds no other node. */
  readonly notReplaced: readonly PendingPod[];
  /** Workloads left with no running pod until the node is back (a Pending replacement of each). */
  readonly outages: readonly PendingPod[];
}

export interface HpaResult {
  readonly hpa: K8sObject;
  readonly workload: Workload;
  readonly maxReplicas: number;
  /** Replicas of the target that fit next to everything else (up to maxReplicas). */
  readonly fit: number;
  /** The first replica that does not fit. */
  readonly pending?: PendingPod;
}

export interface DaemonSetCoverage {
  readonly workload: Workload;
  readonly nodes: readonly string[];
  /** Nodes left out only because of a taint the DaemonSet does not tolerate. */
  readonly excludedByTaint: readonly { readonly node: string; readonly taint: Taint }[];
  /** Nodes left out by its nodeSelector/node affinity (intended). */
  readonly excludedBySelector: readonly string[];
}

export interface ClusterReport {
  readonly cluster: ClusterModel;
  readonly placements: readonly Placement[];
  readonly pending: readonly PendingPod[];
  readonly workloads: readonly WorkloadOutcome[];
  readonly rollouts: readonly RolloutResult[];
  readonly drains: readonly DrainResult[];
  readonly hpa: readonly HpaResult[];
  readonly daemonSets: readonly DaemonSetCoverage[];
}

const cache = new WeakMap<readonly K8sObject[], WeakMap<ClusterModel, ClusterReport>>();

/** The report for these objects on this cluster (computed once per object list and cluster). */
export function analyzeCluster(objects: readonly K8sObject[], cluster: ClusterModel): ClusterReport {
  let byCluster = cache.get(objects);
  if (!byCluster) cache.set(objects, (byCluster = new WeakMap()));
  let report = byCluster.get(cluster);
  if (!report) byCluster.set(cluster, (report = analyze(objects, cluster)));
  return report;
}

function analyze(objects: readonly K8sObject[], cluster: ClusterModel): ClusterReport {
  const workloads = withHpaReplicas(
    objects.map(workloadOf).filter((w): w is Workload => w !== undefined),
    objects,
  );
  const state = new ClusterState(cluster);
  const outcomes = new Map<Workload, { desired: number; pending: PendingPod[] }>();
  const daemonSets: DaemonSetCoverage[] = [];

  // DaemonSet pods first: the DaemonSet controller creates one per eligible node as soon as the
  // node joins, so their requests are already taken when the applications arrive.
  for (const w of workloads.filter((x) => x.kind === 'DaemonSet')) {
    const coverage = { workload: w, nodes: [] as string[], excludedByTaint: [] as { node: string; taint: Taint }[], excludedBySelector: [] as string[] };
    const pending: PendingPod[] = [];
    for (const n of state.nodes) {
      const pod = podOf(w, `${w.name}-${n.node.name}`, 'current', true);
      if (!matchesNodeSelection(pod, n.node)) {
        coverage.excludedBySelector.push(n.node.name);
        continue;
      }
      const taint = n.node.taints.find((t) => t.effect !== 'PreferNoSchedule' && !tolerates(pod.template.tolerations, t));
      if (taint) {
        coverage.excludedByTaint.push({ node: n.node.name, taint });
        continue;
      }
      const reason = state.filter(pod, n);
      if (reason === undefined) {
        state.bind(pod, n);
        coverage.nodes.push(n.node.name);
      } else pending.push({ workload: w, pod: pod.name, reasons: [{ node: n.node.name, reason }] });
    }
    daemonSets.push(coverage);
    outcomes.set(w, { desired: coverage.nodes.length + pending.length, pending });
  }

  // Then the other workloads in input order, those needing other pods (required pod affinity) last.
  const others = workloads.filter((w) => w.kind !== 'DaemonSet');
  const ordered = [...others.filter((w) => w.template.affinity.length === 0), ...others.filter((w) => w.template.affinity.length > 0)];
  for (const w of ordered) {
    const pending: PendingPod[] = [];
    for (let i = 0; i < w.replicas; i++) {
      const pod = podOf(w, podName(w, i), 'current');
      const r = state.schedule(pod);
      if ('reasons' in r) pending.push({ workload: w, pod: pod.name, reasons: r.reasons });
    }
    outcomes.set(w, { desired: w.replicas, pending });
  }

  const placements: Placement[] = state.nodes.flatMap((n) => n.pods.map((p) => ({ workload: p.workload, pod: p.name, node: n.node.name })));
  const workloadOutcomes: WorkloadOutcome[] = workloads.map((w) => {
    const o = outcomes.get(w) ?? { desired: 0, pending: [] };
    return { workload: w, desired: o.desired, placed: o.desired - o.pending.length, pending: o.pending };
  });
  const complete = new Set(workloadOutcomes.filter((o) => o.pending.length === 0).map((o) => o.workload));
  return {
    cluster,
    placements,
    pending: workloadOutcomes.flatMap((o) => o.pending),
    workloads: workloadOutcomes,
    rollouts: others.filter((w) => complete.has(w)).flatMap((w) => rollout(state, w) ?? []),
    drains: state.nodes.filter((n) => n.pods.some((p) => p.workload.kind !== 'DaemonSet')).map((n) => drain(state, n.node.name, objects, workloads)),
    hpa: objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').flatMap((h) => hpaFit(state, h, others) ?? []),
    daemonSets,
  };
}

/**
 * The replicas an HPA's target runs: the HPA scales it up to minReplicas (default 1) and down to
 * maxReplicas at once, so a Deployment whose `replicas` was removed for its HPA (as the HPA docs
 * advise) runs minReplicas, not 1; a target at 0 replicas is left alone (scaling disabled).
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/horizontal.go (reconcileAutoscaler)
 */
export function replicasUnderHpa(target: { readonly kind: string; readonly name: string; readonly namespace: string | undefined }, replicas: number, hpas: readonly K8sObject[]): number {
  const hpa = hpas.find(
    (h) =>
      h.kind === 'HorizontalPodAutoscaler' &&
      str(at(h.data, 'spec', 'scaleTargetRef', 'kind')) === target.kind &&
      str(at(h.data, 'spec', 'scaleTargetRef', 'name')) === target.name &&
      (h.namespace ?? 'default') === (target.namespace ?? 'default'),
  );
  if (!hpa || replicas === 0) return replicas;
  const min = num(at(hpa.data, 'spec', 'minReplicas')) ?? 1;
  const max = num(at(hpa.data, 'spec', 'maxReplicas')) ?? Number.POSITIVE_INFINITY;
  return Math.max(0, Math.floor(Math.min(Math.max(replicas, min), max)));
}

function withHpaReplicas(workloads: readonly Workload[], objects: readonly K8sObject[]): Workload[] {
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  return workloads.map((w) => {
    const replicas = replicasUnderHpa(w, w.replicas, hpas);
    return replicas === w.replicas ? w : { ...w, replicas };
  });
}

function podName(w: Workload, i: number): string {
  return w.kind === 'Job' || w.kind === 'CronJob' || w.kind === 'Pod' ? w.name : `${w.name}-${i + 1}`;
}

/** An int-or-percent against a total: percentages round up or down as the field defines. */
export function scaled(v: unknown, total: number, roundUp: boolean): number | undefined {
  const n = num(v);
  if (n !== undefined) return Math.max(0, Math.floor(n));
  const s = str(v);
  const m = s === undefined ? null : /^(\d+)%$/.exec(s);
  if (!m) return undefined;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * maxSurge and maxUnavailable of a Deployment's RollingUpdate (defaults 25%/25%; surge rounds
 * up, unavailable down; both 0 after rounding makes unavailable 1, as the controller does).
 * https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
 */
export function rollingParameters(w: Workload): { maxSurge: number; maxUnavailable: number } | undefined {
  if (w.kind !== 'Deployment') return undefined;
  const strategy = at(w.object.data, 'spec', 'strategy');
  const type = str(at(strategy, 'type')) ?? 'RollingUpdate';
  if (type !== 'RollingUpdate') return undefined;
  const ru = at(strategy, 'rollingUpdate');
  const maxSurge = scaled(at(ru, 'maxSurge') ?? '25%', w.replicas, true) ?? 0;
  let maxUnavailable = scaled(at(ru, 'maxUnavailable') ?? '25%', w.replicas, false) ?? 0;
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/**
 * Replays the Deployment controller's rolling update on a copy of the placed cluster: new pods
 * up to replicas + maxSurge, old pods removed while at least replicas − maxUnavailable are
 * available, until every pod is new or nothing can move.
 */
function rollout(base: ClusterState, w: Workload): RolloutResult | undefined {
  const params = rollingParameters(w);
  if (!params || w.replicas < 1) return undefined;
  const { maxSurge, maxUnavailable } = params;
  const state = base.clone();
  const old = state.nodes.flatMap((n) => n.pods.filter((p) => p.workload === w));
  const running: PodModel[] = [];
  const waiting: { pod: PodModel; reasons: readonly NodeReason[] }[] = [];
  let created = 0;
  const R = w.replicas;
  for (let guard = 0; guard < 4 * R + 8; guard++) {
    let moved = false;
    for (const entry of [...waiting]) {
      const r = state.schedule(entry.pod);
      if ('node' in r) {
        waiting.splice(waiting.indexOf(entry), 1);
        running.push(entry.pod);
        moved = true;
      } else entry.reasons = r.reasons;
    }
    while (old.length + created < R + maxSurge && created < R) {
      const pod = podOf(w, `${w.name}-new-${++created}`, 'next');
      const r = state.schedule(pod);
      if ('node' in r) {
        running.push(pod);
        moved = true;
      } else waiting.push({ pod, reasons: r.reasons });
    }
    let removable = Math.min(old.length, old.length + running.length - (R - maxUnavailable));
    while (removable-- > 0) {
      const victim = pickOldPod(state, old);
      old.splice(old.indexOf(victim), 1);
      state.remove(victim);
      moved = true;
    }
    if (old.length === 0 && running.length === R) return { workload: w, maxSurge, maxUnavailable, completes: true };
    if (!moved) break;
  }
  const first = waiting[0];
  return {
    workload: w,
    maxSurge,
    maxUnavailable,
    completes: false,
    ...(first ? { stuck: { newRunning: running.length, oldRunning: old.length, pending: { workload: w, pod: first.pod.name, reasons: first.reasons } } } : {}),
  };
}

/** The old pod the ReplicaSet controller removes first: one on the node with most of its siblings, the latest placed. */
function pickOldPod(state: ClusterState, old: readonly PodModel[]): PodModel {
  let best = old[old.length - 1] as PodModel;
  let bestCount = -1;
  for (const p of [...old].reverse()) {
    const count = old.filter((q) => state.nodeOf(q) === state.nodeOf(p)).length;
    if (count > bestCount) {
      best = p;
      bestCount = count;
    }
  }
  return best;
}

interface Budget {
  readonly pdb: K8sObject;
  readonly namespace: string;
  readonly selector: unknown;
  readonly desiredHealthy: number;
  readonly describe: string;
}

/**
 * PodDisruptionBudgets as the eviction API applies them: the expected pods are the replicas of
 * the selected workloads; minAvailable (a percentage rounds up), or expected − maxUnavailable
 * (a percentage rounds up too). https://kubernetes.io/docs/tasks/run-application/configure-pdb/#rounding-logic-when-specifying-percentages
 */
function budgets(objects: readonly K8sObject[], workloads: readonly Workload[]): Budget[] {
  return objects
    .filter((o) => o.kind === 'PodDisruptionBudget')
    .flatMap((pdb) => {
      const namespace = pdb.namespace ?? 'default';
      const selector = at(pdb.data, 'spec', 'selector');
      const expected = workloads
        .filter((w) => w.kind !== 'DaemonSet' && w.namespace === namespace && selects(selector, w.template.labels, true))
        .reduce((sum, w) => sum + w.replicas, 0);
      const minAvailable = at(pdb.data, 'spec', 'minAvailable');
      const maxUnavailable = at(pdb.data, 'spec', 'maxUnavailable');
      if (minAvailable !== undefined) {
        const v = scaled(minAvailable, expected, true);
        return v === undefined ? [] : [{ pdb, namespace, selector, desiredHealthy: v, describe: `minAvailable ${text(minAvailable)}` }];
      }
      if (maxUnavailable !== undefined) {
        const v = scaled(maxUnavailable, expected, true);
        return v === undefined ? [] : [{ pdb, namespace, selector, desiredHealthy: expected - v, describe: `maxUnavailable ${text(maxUnavailable)}` }];
      }
      return [];
    });
}

/**
 * `kubectl drain NODE --ignore-daemonsets`: the node is cordoned, each pod evicted when every
 * budget selecting it allows a disruption, its controller re-creates it elsewhere, and the
 * drain retries until the node is empty or nothing can change any more.
 * https://kubernetes.io/docs/tasks/administer-cluster/safely-drain-node/
 */
function drain(base: ClusterState, nodeName: string, objects: readonly K8sObject[], workloads: readonly Workload[]): DrainResult {
  const state = base.clone();
  const node = state.nodes.find((n) => n.node.name === nodeName);
  if (!node) return { node: nodeName, evicted: 0, completes: true, blocked: [], notReplaced: [], outages: [] };
  node.cordoned = true;
  const pdbs = budgets(objects, workloads);
  const queue = node.pods.filter((p) => p.workload.kind !== 'DaemonSet');
  const evicted = queue.length;
  const notReplaced: PendingPod[] = [];
  const waiting: PodModel[] = [];
  const blocked: DrainBlock[] = [];
  const healthy = (b: Budget): number => state.nodes.reduce((sum, n) => sum + n.pods.filter((p) => p.namespace === b.namespace && selects(b.selector, p.labels, true)).length, 0);
  let moved = true;
  while (queue.length > 0 && moved) {
    moved = false;
    for (const pod of [...queue]) {
      if (pod.workload.kind === 'Pod') continue;
      const refusing = pdbs.find((b) => b.namespace === pod.namespace && selects(b.selector, pod.labels, true) && healthy(b) - b.desiredHealthy <= 0);
      if (refusing) continue;
      queue.splice(queue.indexOf(pod), 1);
      state.remove(pod);
      moved = true;
      const replacement = { ...pod, name: `${pod.name}-replacement` };
      if ('reasons' in state.schedule(replacement)) waiting.push(replacement);
    }
    for (const pod of [...waiting]) {
      if ('node' in state.schedule(pod)) {
        waiting.splice(waiting.indexOf(pod), 1);
        moved = true;
      }
    }
  }
  for (const pod of waiting) {
    const r = state.clone().schedule(pod);
    notReplaced.push({ workload: pod.workload, pod: pod.name.replace(/-replacement$/, ''), reasons: 'reasons' in r ? r.reasons : [] });
  }
  for (const pod of queue) {
    if (pod.workload.kind === 'Pod') {
      blocked.push({ pod: pod.name, workload: pod.workload, pdb: undefined, reason: 'is not managed by a controller, so kubectl drain refuses to delete it without --force (and nothing would re-create it)' });
      continue;
    }
    const b = pdbs.find((x) => x.namespace === pod.namespace && selects(x.selector, pod.labels, true) && healthy(x) - x.desiredHealthy <= 0);
    const h = b ? healthy(b) : 0;
    blocked.push({
      pod: pod.name,
      workload: pod.workload,
      pdb: b?.pdb,
      reason: b ? `PodDisruptionBudget ${b.pdb.name} (${b.describe}) allows no disruption: ${h} healthy, ${b.desiredHealthy} required${waiting.length > 0 ? ', and the evicted pods find no other node' : ''}` : 'cannot be evicted',
    });
  }
  const outages = notReplaced.filter((p, i) => notReplaced.findIndex((q) => q.workload === p.workload) === i && !state.nodes.some((n) => n.pods.some((x) => x.workload === p.workload)));
  return { node: nodeName, evicted, completes: queue.length === 0, blocked, notReplaced, outages };
}

/** How many replicas of the HPA's target fit at its maximum, everything else in place. */
function hpaFit(base: ClusterState, hpa: K8sObject, workloads: readonly Workload[]): HpaResult | undefined {
  const kind = str(at(hpa.data, 'spec', 'scaleTargetRef', 'kind'));
  const name = str(at(hpa.data, 'spec', 'scaleTargetRef', 'name'));
  const maxReplicas = num(at(hpa.data, 'spec', 'maxReplicas'));
  const namespace = hpa.namespace ?? 'default';
  const w = workloads.find((x) => x.kind === kind && x.name === name && x.namespace === namespace);
  if (!w || maxReplicas === undefined) return undefined;
  const state = base.clone();
  let fit = state.nodes.reduce((sum, n) => sum + n.pods.filter((p) => p.workload === w).length, 0);
  for (let i = w.replicas; i < maxReplicas; i++) {
    const pod = podOf(w, podName(w, i), 'current');
    const r = state.schedule(pod);
    if ('reasons' in r) return { hpa, workload: w, maxReplicas, fit, pending: { workload: w, pod: pod.name, reasons: r.reasons } };
    fit++;
  }
  return { hpa, workload: w, maxReplicas, fit: Math.min(fit, maxReplicas) };
}
