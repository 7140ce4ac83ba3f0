/**
 * Small, typed views of rendered objects for the tests: workloads and their pod specs,
 * label selectors, lookups by kind/name, and a NetworkPolicy evaluator.
 */
import type { K8sObject } from '../lib/index.js';

export type Labels = Record<string, string>;
export interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string }; fieldRef?: unknown };
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
  exec?: { command: string[] };
  periodSeconds?: number;
  failureThreshold?: number;
  initialDelaySeconds?: number;
}
export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    privileged?: boolean;
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string };
  configMap?: { name: string };
  secret?: { secretName: string };
  hostPath?: { path: string };
  emptyDir?: { medium?: string; sizeLimit?: string };
}
export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
    sysctls?: { name: string; value: string }[];
  };
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string; labelSelector: Selector }[];
      preferredDuringSchedulingIgnoredDuringExecution?: unknown[];
    };
  };
  topologySpreadConstraints?: { maxSkew: number; topologyKey: string; whenUnsatisfiable: string; nodeTaintsPolicy?: string; labelSelector: Selector }[];
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
  restartPolicy?: string;
}
export interface Workload {
  object: K8sObject;
  kind: string;
  name: string;
  namespace: string;
  labels: Labels;
  pod: PodSpec;
  replicas: number | undefined;
}

export const ns = (o: K8sObject): string => o.metadata.namespace ?? 'default';
export const spec = <T>(o: K8sObject): T => o.spec as T;

export function find(objects: readonly K8sObject[], kind: string, name: string, namespace?: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || ns(o) === namespace));
}

export function get(objects: readonly K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const o = find(objects, kind, name, namespace);
  if (!o) throw new Error(`no ${kind} ${namespace ?? '*'}/${name} in the render`);
  return o;
}

export function ofKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function workloads(objects: readonly K8sObject[]): Workload[] {
  const out: Workload[] = [];
  for (const o of objects) {
    let template: { metadata?: { labels?: Labels }; spec: PodSpec } | undefined;
    let replicas: number | undefined;
    const s = o.spec as Record<string, unknown> | undefined;
    if (o.kind === 'Deployment' || o.kind === 'DaemonSet' || o.kind === 'StatefulSet' || o.kind === 'Job') {
      template = s?.template as typeof template;
      replicas = s?.replicas as number | undefined;
    } else if (o.kind === 'CronJob') {
      template = (s?.jobTemplate as { spec: { template: typeof template } }).spec.template;
    }
    if (template) {
      out.push({ object: o, kind: o.kind, name: o.metadata.name, namespace: ns(o), labels: template.metadata?.labels ?? {}, pod: template.spec, replicas });
    }
  }
  return out;
}

export function matches(selector: Selector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && value !== undefined && (e.values ?? []).includes(value))) return false;
    if (e.operator === 'NotIn' && has && value !== undefined && (e.values ?? []).includes(value)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** An endpoint of a connection: a pod (labels, namespace) and a port. */
export interface Peer {
  namespace: string;
  labels: Labels;
}

interface PolicyPeer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: unknown;
}
interface PolicyRule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: { protocol?: string; port?: number | string }[];
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes?: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

function peerMatches(p: PolicyPeer, policyNamespace: string, other: Peer): boolean {
  if (p.ipBlock) return false; // pods are not addressed by IP blocks here
  const nsLabels = { 'kubernetes.io/metadata.name': other.namespace };
  const nsOk = p.namespaceSelector ? matches(p.namespaceSelector, nsLabels) || isEmpty(p.namespaceSelector) : other.namespace === policyNamespace;
  const podOk = p.podSelector ? matches(p.podSelector, other.labels) || isEmpty(p.podSelector) : true;
  return nsOk && podOk;
}

function isEmpty(s: Selector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

function ruleAllows(rule: PolicyRule, peers: PolicyPeer[] | undefined, policyNs: string, other: Peer, port: number): boolean {
  const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p) => p.port === undefined || p.port === port);
  const peerOk = !peers || peers.length === 0 || peers.some((p) => peerMatches(p, policyNs, other));
  return portOk && peerOk;
}

/** Whether the NetworkPolicies in the render let `from` open a TCP connection to `to`:port. */
export function connectionAllowed(objects: readonly K8sObject[], from: Peer, to: Peer, port: number): boolean {
  const policies = ofKind(objects, 'NetworkPolicy');
  const selecting = (peer: Peer, type: 'Ingress' | 'Egress') =>
    policies.filter((p) => {
      const s = spec<PolicySpec>(p);
      const types = s.policyTypes ?? (type === 'Ingress' ? ['Ingress'] : s.egress ? ['Egress'] : []);
      return ns(p) === peer.namespace && types.includes(type) && (isEmpty(s.podSelector) || matches(s.podSelector, peer.labels));
    });
  const egress = selecting(from, 'Egress');
  const egressOk = egress.length === 0 || egress.some((p) => (spec<PolicySpec>(p).egress ?? []).some((r) => ruleAllows(r, r.to, ns(p), to, port)));
  const ingress = selecting(to, 'Ingress');
  const ingressOk = ingress.length === 0 || ingress.some((p) => (spec<PolicySpec>(p).ingress ?? []).some((r) => ruleAllows(r, r.from, ns(p), from, port)));
  return egressOk && ingressOk;
}

/** Kubernetes quantities to bytes / millicores, for comparisons. */
export function quantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  const factor: Record<string, number> = { '': 1, m: 0.001, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return n * (factor[unit] ?? NaN);
}
