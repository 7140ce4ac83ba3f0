/**
 * What the scheduler needs to know about the pods of a workload, read once from its template:
 * effective requests, node constraints, tolerations, pod (anti-)affinity and topology spread.
 */
import type { K8sObject } from '../model.js';
import { at, isRecord, num, record, records, str, strings, stringMap } from '../read.js';
import { readTolerations, type Toleration } from './labels.js';
import { cpuMillis, memoryBytes } from './quantity.js';

export const CONTROLLER_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet'] as const;
export const SCHEDULED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'] as const;

/** A required (or preferred) pod affinity term. */
export interface PodAffinityTerm {
  readonly selector: unknown;
  readonly topologyKey: string;
  /** Undefined: every namespace (an empty namespaceSelector); otherwise the namespaces listed. */
  readonly namespaces: ReadonlySet<string> | undefined;
  readonly matchLabelKeys: readonly string[];
}

export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly hard: boolean;
  readonly selector: unknown;
  readonly matchLabelKeys: readonly string[];
  readonly minDomains: number;
  /** Whether nodes excluded by the pod's nodeSelector/affinity are left out of the domains (default Honor). */
  readonly honorNodeAffinity: boolean;
  /** Whether nodes with taints the pod does not tolerate are left out of the domains (default Ignore). */
  readonly honorTaints: boolean;
}

/** The scheduling-relevant part of a pod template (shared by all pods of a workload). */
export interface PodTemplateModel {
  readonly labels: Readonly<Record<string, string>>;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Required node affinity terms; undefined when there is none. */
  readonly nodeAffinity: readonly Record<string, unknown>[] | undefined;
  readonly tolerations: readonly Toleration[];
  readonly affinity: readonly PodAffinityTerm[];
  readonly antiAffinity: readonly PodAffinityTerm[];
  readonly preferredAntiAffinity: readonly PodAffinityTerm[];
  readonly spread: readonly SpreadConstraint[];
  /** "80/TCP" for each host port. */
  readonly hostPorts: readonly string[];
  readonly nodeName: string | undefined;
}

export interface Workload {
  readonly object: K8sObject;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Replicas asked for (1 for a Job/CronJob/Pod; per node for a DaemonSet). */
  readonly replicas: number;
  readonly template: PodTemplateModel;
}

/** One pod: the template plus its own name and labels (a revision label differs per rollout). */
export interface PodModel {
  readonly workload: Workload;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly template: PodTemplateModel;
}

/** Label the Deployment controller adds to tell old pods from new ones during a rollout. */
export const REVISION_LABEL = 'pod-template-hash';

export function podOf(w: Workload, name: string, revision: string, extraTolerations = false): PodModel {
  const labels = w.kind === 'Deployment' ? { ...w.template.labels, [REVISION_LABEL]: revision } : w.template.labels;
  const template = extraTolerations ? { ...w.template, tolerations: [...w.template.tolerations, ...DAEMONSET_TOLERATIONS] } : w.template;
  return { workload: w, name, namespace: w.namespace, labels, template };
}

/**
 * Tolerations the DaemonSet controller adds to its pods (so cordoned, not-ready or pressured
 * nodes keep them). https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/#taints-and-tolerations
 */
const DAEMONSET_TOLERATIONS: readonly Toleration[] = [
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'node.kubernetes.io/disk-pressure',
  'node.kubernetes.io/memory-pressure',
  'node.kubernetes.io/pid-pressure',
  'node.kubernetes.io/unschedulable',
].map((key) => ({ key, operator: 'Exists' as const }));

export function templateSpecOf(o: K8sObject): { spec: Readonly<Record<string, unknown>>; labels: Record<string, string> } | undefined {
  const tpl = o.kind === 'Pod' ? o.data : o.kind === 'CronJob' ? at(o.data, 'spec', 'jobTemplate', 'spec', 'template') : at(o.data, 'spec', 'template');
  if (!isRecord(tpl)) return undefined;
  return { spec: record(tpl.spec), labels: stringMap(at(tpl, 'metadata', 'labels')) };
}

export function workloadOf(o: K8sObject): Workload | undefined {
  if (!(SCHEDULED_KINDS as readonly string[]).includes(o.kind)) return undefined;
  const t = templateSpecOf(o);
  if (!t) return undefined;
  const replicas = (CONTROLLER_KINDS as readonly string[]).includes(o.kind) ? (num(at(o.data, 'spec', 'replicas')) ?? 1) : 1;
  return { object: o, kind: o.kind, name: o.name, namespace: o.namespace ?? 'default', replicas: Math.max(0, Math.floor(replicas)), template: readTemplate(t.spec, t.labels, o.namespace ?? 'default') };
}

function readTemplate(spec: Readonly<Record<string, unknown>>, labels: Record<string, string>, namespace: string): PodTemplateModel {
  const { cpu, memory } = effectiveRequests(spec);
  const affinity = record(spec.affinity);
  const required = (kind: string): PodAffinityTerm[] =>
    records(at(affinity, kind, 'requiredDuringSchedulingIgnoredDuringExecution')).map((r) => affinityTerm(r.value, namespace));
  const preferred = records(at(affinity, 'podAntiAffinity', 'preferredDuringSchedulingIgnoredDuringExecution')).map((r) => affinityTerm(record(r.value.podAffinityTerm), namespace));
  const nodeTerms = at(affinity, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
  return {
    labels,
    cpuMillis: cpu,
    memoryBytes: memory,
    nodeSelector: stringMap(spec.nodeSelector),
    nodeAffinity: Array.isArray(nodeTerms) ? records(nodeTerms).map((r) => r.value) : undefined,
    tolerations: readTolerations(spec.tolerations),
    affinity: required('podAffinity'),
    antiAffinity: required('podAntiAffinity'),
    preferredAntiAffinity: preferred,
    spread: records(spec.topologySpreadConstraints).flatMap(({ value: c }) => {
      const topologyKey = str(c.topologyKey);
      if (!topologyKey) return [];
      return [
        {
          maxSkew: Math.max(1, num(c.maxSkew) ?? 1),
          topologyKey,
          hard: c.whenUnsatisfiable !== 'ScheduleAnyway',
          selector: c.labelSelector,
          matchLabelKeys: strings(c.matchLabelKeys),
          minDomains: Math.max(1, num(c.minDomains) ?? 1),
          honorNodeAffinity: c.nodeAffinityPolicy !== 'Ignore',
          honorTaints: c.nodeTaintsPolicy === 'Honor',
        },
      ];
    }),
    hostPorts: records(spec.containers).flatMap(({ value: ctr }) =>
      records(ctr.ports).flatMap(({ value: p }) => {
        const port = num(p.hostPort);
        return port ? [`${port}/${str(p.protocol) ?? 'TCP'}`] : [];
      }),
    ),
    nodeName: str(spec.nodeName),
  };
}

function affinityTerm(t: Readonly<Record<string, unknown>>, namespace: string): PodAffinityTerm {
  const listed = strings(t.namespaces);
  // An empty namespaceSelector ({}) means every namespace; a non-empty one cannot be resolved
  // offline (namespace labels live in the cluster), so it is taken as every namespace too.
  const namespaces = isRecord(t.namespaceSelector) ? undefined : new Set(listed.length > 0 ? listed : [namespace]);
  return { selector: t.labelSelector, topologyKey: str(t.topologyKey) ?? '', namespaces, matchLabelKeys: strings(t.matchLabelKeys) };
}

/**
 * A container's request for a resource: the request, or the limit when only a limit is set
 * (the API defaults the request to the limit).
 */
function request(c: Readonly<Record<string, unknown>>, resource: 'cpu' | 'memory'): number {
  const parse = resource === 'cpu' ? cpuMillis : memoryBytes;
  return parse(at(c, 'resources', 'requests', resource)) ?? parse(at(c, 'resources', 'limits', resource)) ?? 0;
}

/**
 * The pod's effective request: the larger of the app containers' sum (plus restartable init
 * containers, i.e. sidecars, which keep running) and the largest need during initialisation
 * (each init container plus the sidecars started before it).
 * https://kubernetes.io/docs/concepts/resource-management/effective-pod-requests-limits/
 */
export function effectiveRequests(spec: Readonly<Record<string, unknown>>): { cpu: number; memory: number } {
  const out = { cpu: 0, memory: 0 };
  for (const resource of ['cpu', 'memory'] as const) {
    let sidecars = 0;
    let initPeak = 0;
    for (const { value: c } of records(spec.initContainers)) {
      const r = request(c, resource);
      if (c.restartPolicy === 'Always') sidecars += r;
      else initPeak = Math.max(initPeak, sidecars + r);
    }
    const apps = records(spec.containers).reduce((sum, { value: c }) => sum + request(c, resource), 0);
    out[resource === 'cpu' ? 'cpu' : 'memory'] = Math.max(apps + sidecars, initPeak);
  }
  return out;
}
