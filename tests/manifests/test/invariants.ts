/**
 * What must hold in every render of the deployment, whatever the overlay or components:
 * each function returns the problems it finds (empty = fine), so a failing test lists all.
 */
import { serviceSpecs, type ServiceName } from '@bernstein/common';
import type { K8sObject } from '../lib/index.js';
import { find, matches, ns, ofKind, spec, workloads, type Container, type Selector, type Workload } from './k8s.js';

export interface Context {
  /** Secrets expected in the cluster but not in the render, with their keys. */
  externalSecrets?: Readonly<Record<string, readonly string[]>>;
  /** IngressClasses provided by the cluster (an instance shares the cluster's Traefik). */
  externalIngressClasses?: readonly string[];
  /**
   * An instance that shares the cluster's edge (app-only): its RoleBinding traefik-secrets
   * names the first installation's Traefik ServiceAccount and ClusterRole.
   */
  sharedTraefik?: boolean;
}

/** Workloads allowed to run as root, with why: see cadvisor.daemonset.yaml. */
const ROOT_ALLOWED = new Set(['cadvisor']);

const id = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`;

export function uniqueIds(objects: readonly K8sObject[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const o of objects) {
    const key = `${o.apiVersion.split('/')[0]}|${id(o)}`;
    if (seen.has(key)) problems.push(`duplicate ${id(o)}`);
    seen.add(key);
  }
  return problems;
}

function containersOf(w: Workload): Container[] {
  return [...(w.pod.initContainers ?? []), ...w.pod.containers];
}

export function hardened(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    const where = `${w.kind} ${w.namespace}/${w.name}`;
    if (w.pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${where}: seccomp is not RuntimeDefault`);
    if (!w.pod.serviceAccountName) problems.push(`${where}: no own ServiceAccount`);
    else if (!find(objects, 'ServiceAccount', w.pod.serviceAccountName, w.namespace)) {
      problems.push(`${where}: ServiceAccount ${w.pod.serviceAccountName} is not in the render`);
    }
    for (const c of containersOf(w)) {
      const at = `${where} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: privilege escalation not disabled`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: root filesystem not read-only`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at}: capabilities not all dropped`);
      if ((sc.capabilities?.add ?? []).length > 0 || sc.privileged) problems.push(`${at}: adds privileges`);
      const nonRoot = sc.runAsNonRoot ?? w.pod.securityContext?.runAsNonRoot;
      if (nonRoot !== true && !ROOT_ALLOWED.has(w.name.replace(/^b\d+-/, ''))) problems.push(`${at}: may run as root`);
      if (!/^[^:@]+(:[\w][\w.-]*)?(@sha256:[a-f0-9]{64})?$/.test(c.image) || !/[:@]/.test(c.image.split('/').pop() ?? '')) {
        problems.push(`${at}: image ${c.image} is not pinned`);
      } else if (/:latest$|:lastest$/.test(c.image)) problems.push(`${at}: image ${c.image} uses a moving tag`);
      const r = c.resources ?? {};
      for (const k of ['cpu', 'memory']) if (!r.requests?.[k]) problems.push(`${at}: no ${k} request`);
      if (!r.limits?.memory) problems.push(`${at}: no memory limit`);
    }
    if (w.kind === 'Deployment' || w.kind === 'DaemonSet') {
      for (const c of w.pod.containers) {
        if (!c.readinessProbe) problems.push(`${where} container ${c.name}: no readiness probe`);
        if (!c.livenessProbe) problems.push(`${where} container ${c.name}: no liveness probe`);
      }
    }
  }
  return problems;
}

interface EnvSource {
  name: string;
  fromSecret: boolean;
}

/** Every variable a container sees, with whether it comes from a Secret; unresolvable refs are problems. */
function envOf(objects: readonly K8sObject[], namespace: string, c: Container, ctx: Context, problems: string[], at: string): EnvSource[] {
  const out: EnvSource[] = [];
  const keysOf = (kind: 'ConfigMap' | 'Secret', name: string): string[] | undefined => {
    const o = find(objects, kind, name, namespace);
    if (o) return Object.keys({ ...((o as { data?: object }).data ?? {}), ...((o as { stringData?: object }).stringData ?? {}) });
    if (kind === 'Secret' && ctx.externalSecrets?.[name]) return [...ctx.externalSecrets[name]];
    return undefined;
  };
  for (const ref of c.envFrom ?? []) {
    const kind = ref.configMapRef ? 'ConfigMap' : 'Secret';
    const name = ref.configMapRef?.name ?? ref.secretRef?.name ?? '';
    const keys = keysOf(kind, name);
    if (!keys) problems.push(`${at}: envFrom ${kind} ${name} does not exist`);
    for (const k of keys ?? []) out.push({ name: k, fromSecret: kind === 'Secret' });
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    if (ref) {
      const kind = e.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap';
      if (!(keysOf(kind, ref.name) ?? []).includes(ref.key)) problems.push(`${at}: ${e.name} refers to missing ${kind} key ${ref.name}.${ref.key}`);
    }
    out.push({ name: e.name, fromSecret: Boolean(e.valueFrom?.secretKeyRef) });
  }
  return out;
}

function serviceOf(w: Workload, c: Container): ServiceName | undefined {
  if (c.command?.join(' ') === 'node dist/migrate.js') return 'migrate';
  const app = w.labels['app.kubernetes.io/name'];
  if ((app === 'poll' || app === 'worker' || app === 'result') && c.name === app) return app;
  return undefined;
}

/** poll, worker, result and migrate get exactly the variables their spec declares. */
export function environment(objects: readonly K8sObject[], ctx: Context = {}): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects)) {
    for (const c of containersOf(w)) {
      const service = serviceOf(w, c);
      if (!service) continue;
      const at = `${w.kind} ${w.namespace}/${w.name} container ${c.name} (${service})`;
      const declared = new Map(Object.values(serviceSpecs[service]).map((v) => [v.name, v]));
      const seen = envOf(objects, w.namespace, c, ctx, problems, at);
      for (const e of seen) {
        const v = declared.get(e.name);
        // NODE_ENV is Node's own (the images set production; poll accepts a development
        // cookie key only with development, as the base sets it beside its published key).
        if (!v && e.name === 'NODE_ENV' && !e.fromSecret) continue;
        if (!v) problems.push(`${at}: ${e.name} is not a variable of ${service}`);
        else if (v.secret && !e.fromSecret) problems.push(`${at}: secret ${e.name} does not come from a Secret`);
      }
      for (const v of declared.values()) {
        if (v.required && !seen.some((e) => e.name === v.name)) problems.push(`${at}: required ${v.name} is missing`);
      }
      const value = (name: string) => Number(c.env?.find((e) => e.name === name)?.value ?? declared.get(name)?.default ?? 0);
      if (service !== 'migrate') {
        const needMs = value('SHUTDOWN_DELAY_MS') + value('SHUTDOWN_TIMEOUT_MS');
        const grace = (w.pod.terminationGracePeriodSeconds ?? 30) * 1000;
        if (grace <= needMs) problems.push(`${at}: grace period ${grace} ms does not cover shutdown delay + timeout ${needMs} ms`);
        if (value('SHUTDOWN_DELAY_MS') !== 5000) problems.push(`${at}: SHUTDOWN_DELAY_MS is not 5000`);
      }
    }
  }
  return problems;
}

/** Every name one object uses to find another resolves within the render (or the cluster's known pieces). */
export function references(objects: readonly K8sObject[], ctx: Context = {}): string[] {
  const problems: string[] = [];
  const has = (kind: string, name: string, namespace?: string) => Boolean(find(objects, kind, name, namespace));
  for (const w of workloads(objects)) {
    for (const v of w.pod.volumes ?? []) {
      if (v.persistentVolumeClaim && !has('PersistentVolumeClaim', v.persistentVolumeClaim.claimName, w.namespace)) {
        problems.push(`${w.name}: PVC ${v.persistentVolumeClaim.claimName} missing`);
      }
      if (v.configMap && !has('ConfigMap', v.configMap.name, w.namespace)) problems.push(`${w.name}: ConfigMap ${v.configMap.name} missing`);
    }
    for (const c of containersOf(w)) {
      for (const m of c.volumeMounts ?? []) {
        if (!(w.pod.volumes ?? []).some((v) => v.name === m.name)) problems.push(`${w.name}/${c.name}: mount of unknown volume ${m.name}`);
      }
    }
  }
  for (const s of ofKind(objects, 'Service')) {
    const sel = spec<{ selector?: Record<string, string>; ports: { name?: string; targetPort?: number | string }[] }>(s);
    const pods = workloads(objects).filter((w) => w.namespace === ns(s) && matches({ matchLabels: sel.selector ?? {} }, w.labels));
    if (pods.length === 0) problems.push(`Service ${ns(s)}/${s.metadata.name} selects no pods`);
    for (const p of sel.ports) {
      if (typeof p.targetPort === 'string' && !pods.every((w) => w.pod.containers.some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort)))) {
        problems.push(`Service ${s.metadata.name}: targetPort ${p.targetPort} not a named port of every selected pod`);
      }
    }
  }
  for (const i of ofKind(objects, 'Ingress')) {
    const sp = spec<{ ingressClassName?: string; rules: { http: { paths: { backend: { service: { name: string; port: { name?: string; number?: number } } } }[] } }[] }>(i);
    const cls = sp.ingressClassName ?? '';
    if (!has('IngressClass', cls) && !(ctx.externalIngressClasses ?? []).includes(cls)) problems.push(`Ingress ${i.metadata.name}: IngressClass "${cls}" missing`);
    for (const r of sp.rules) {
      for (const p of r.http.paths) {
        const svc = find(objects, 'Service', p.backend.service.name, ns(i));
        if (!svc) problems.push(`Ingress ${i.metadata.name}: Service ${p.backend.service.name} missing`);
        else if (!spec<{ ports: { name?: string; port: number }[] }>(svc).ports.some((sp2) => sp2.name === p.backend.service.port.name || sp2.port === p.backend.service.port.number)) {
          problems.push(`Ingress ${i.metadata.name}: Service ${p.backend.service.name} has no port ${JSON.stringify(p.backend.service.port)}`);
        }
      }
    }
  }
  for (const p of ofKind(objects, 'PodDisruptionBudget')) {
    const sel = spec<{ selector: Selector }>(p).selector;
    if (!workloads(objects).some((w) => w.namespace === ns(p) && matches(sel, w.labels))) problems.push(`PDB ${p.metadata.name} selects no pods`);
  }
  for (const h of [...ofKind(objects, 'HorizontalPodAutoscaler'), ...ofKind(objects, 'ScaledObject')]) {
    const t = spec<{ scaleTargetRef: { kind?: string; name: string } }>(h).scaleTargetRef;
    if (!has(t.kind ?? 'Deployment', t.name, ns(h))) problems.push(`${h.kind} ${h.metadata.name}: target ${t.name} missing`);
  }
  for (const b of [...ofKind(objects, 'ClusterRoleBinding'), ...ofKind(objects, 'RoleBinding')]) {
    const rb = b as unknown as { roleRef: { kind: string; name: string }; subjects: { kind: string; name: string; namespace?: string }[] };
    if (ctx.sharedTraefik && b.kind === 'RoleBinding' && rb.roleRef.name === 'traefik-secrets') continue;
    if (!has(rb.roleRef.kind, rb.roleRef.name)) problems.push(`${b.kind} ${b.metadata.name}: ${rb.roleRef.kind} ${rb.roleRef.name} missing`);
    for (const s of rb.subjects) {
      if (s.kind === 'ServiceAccount' && !has('ServiceAccount', s.name, s.namespace ?? ns(b))) {
        problems.push(`${b.kind} ${b.metadata.name}: ServiceAccount ${s.namespace ?? ''}/${s.name} missing`);
      }
    }
  }
  for (const pvc of ofKind(objects, 'PersistentVolumeClaim')) {
    const vn = spec<{ volumeName?: string }>(pvc).volumeName;
    if (vn && !has('PersistentVolume', vn)) problems.push(`PVC ${pvc.metadata.name}: PersistentVolume ${vn} missing`);
  }
  for (const t of ofKind(objects, 'TraefikService')) {
    for (const s of spec<{ weighted: { services: { name: string }[] } }>(t).weighted.services) {
      if (!has('Service', s.name, ns(t))) problems.push(`TraefikService ${t.metadata.name}: Service ${s.name} missing`);
    }
  }
  for (const r of ofKind(objects, 'IngressRoute')) {
    for (const route of spec<{ routes: { services: { kind?: string; name: string }[] }[] }>(r).routes) {
      for (const s of route.services) if (!has(s.kind ?? 'Service', s.name, ns(r))) problems.push(`IngressRoute ${r.metadata.name}: ${s.kind ?? 'Service'} ${s.name} missing`);
    }
  }
  // A kind is unknown to the API server until its definition is Established, so one apply of
  // both fails ("no matches for kind"): definitions live in deploy/kubernetes/crds, applied first.
  for (const crd of ofKind(objects, 'CustomResourceDefinition')) {
    const d = spec<{ group: string; names: { kind: string } }>(crd);
    if (objects.some((o) => o.kind === d.names.kind && o.apiVersion.startsWith(`${d.group}/`))) {
      problems.push(`CustomResourceDefinition ${crd.metadata.name} is applied together with objects of its kind`);
    }
  }
  return problems;
}

/** Pods of a Deployment with more than one replica (or an autoscaler) never share a node unless spread evenly. */
export function spread(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(objects).filter((x) => x.kind === 'Deployment')) {
    const scaled = ofKind(objects, 'HorizontalPodAutoscaler').some((h) => ns(h) === w.namespace && spec<{ scaleTargetRef: { name: string } }>(h).scaleTargetRef.name === w.name);
    if (!scaled && (w.replicas ?? 1) < 2) continue;
    const required = (w.pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(
      (t) => t.topologyKey === 'kubernetes.io/hostname' && matches(t.labelSelector, w.labels),
    );
    const even = (w.pod.topologySpreadConstraints ?? []).some(
      (t) => t.topologyKey === 'kubernetes.io/hostname' && t.whenUnsatisfiable === 'DoNotSchedule' && t.maxSkew === 1 && matches(t.labelSelector, w.labels),
    );
    if (!required && !even) problems.push(`Deployment ${w.name}: replicas may share a node`);
    if (!ofKind(objects, 'PodDisruptionBudget').some((p) => ns(p) === w.namespace && matches(spec<{ selector: Selector }>(p).selector, w.labels))) {
      problems.push(`Deployment ${w.name}: replicated without a PodDisruptionBudget`);
    }
    problems.push(...rollout(w, required));
    problems.push(...spreadConstraints(w));
  }
  return problems;
}

/**
 * A rollout that completes on the course's cluster (2 schedulable workers, the control plane
 * tainted) and never leaves the service without a ready pod. With one pod per node required,
 * an extra (surge) pod has no node left: such a Deployment replaces in place (maxSurge 0,
 * maxUnavailable 1, the other replica serving). Spread Deployments surge without dropping one.
 */
function rollout(w: Workload, onePerNodeRequired: boolean): string[] {
  const strategy = spec<{ strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } } }>(w.object).strategy;
  if (strategy?.type !== 'RollingUpdate') return [`Deployment ${w.name}: not a rolling update`];
  const { maxUnavailable, maxSurge } = strategy.rollingUpdate ?? {};
  if (onePerNodeRequired) {
    const problems: string[] = [];
    if (maxSurge !== 0) problems.push(`Deployment ${w.name}: a rollout's extra pod finds no free node with one pod per node required on 2 nodes (maxSurge must be 0)`);
    if (maxUnavailable !== 1 || (w.replicas ?? 1) < 2) problems.push(`Deployment ${w.name}: a rollout in place must keep a replica serving (maxUnavailable 1 of at least 2 replicas)`);
    return problems;
  }
  return maxUnavailable === 0 ? [] : [`Deployment ${w.name}: rollout may take capacity away (maxUnavailable must be 0)`];
}

/**
 * Required spreads count only nodes the pods may run on (nodeTaintsPolicy Honor: the default
 * counts a tainted control plane as an empty node), and zones are only preferred, never
 * required (nodes without the zone label would be filtered out).
 * https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
 */
function spreadConstraints(w: Workload): string[] {
  const problems: string[] = [];
  for (const t of w.pod.topologySpreadConstraints ?? []) {
    if (t.whenUnsatisfiable === 'DoNotSchedule' && t.nodeTaintsPolicy !== 'Honor') {
      problems.push(`Deployment ${w.name}: spread over ${t.topologyKey} counts tainted nodes (nodeTaintsPolicy must be Honor)`);
    }
    if (t.topologyKey === 'topology.kubernetes.io/zone' && t.whenUnsatisfiable !== 'ScheduleAnyway') {
      problems.push(`Deployment ${w.name}: a required zone spread leaves pods Pending on nodes without zone labels`);
    }
  }
  return problems;
}

export function allInvariants(objects: readonly K8sObject[], ctx: Context = {}): string[] {
  return [...uniqueIds(objects), ...hardened(objects), ...environment(objects, ctx), ...references(objects, ctx), ...spread(objects)];
}
