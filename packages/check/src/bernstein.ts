/** The Bernstein profile's requirement table (see docs/bernstein-profile.md), as data. */
import { basename } from 'node:path';
import { containersOf, labelsOf, podTemplate, type ContainerRef } from './k8s.js';
import { isKindOf, SERVICE_WORKLOAD_KINDS } from './kinds.js';
import type { K8sObject } from './model.js';

export const COMPONENTS = ['redis', 'postgres', 'poll', 'worker', 'result', 'traefik', 'cadvisor'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface ComponentSpec {
  readonly kind: 'Deployment' | 'DaemonSet';
  readonly replicas?: number;
  readonly namespace: string;
  readonly memoryLimit?: string;
  readonly ports: readonly number[];
  readonly host?: string;
  readonly restartAlways?: boolean;
  readonly spread?: boolean;
}

export const TABLE: Record<Component, ComponentSpec> = {
  redis: { kind: 'Deployment', replicas: 1, namespace: 'default', ports: [6379], restartAlways: true },
  postgres: { kind: 'Deployment', replicas: 1, namespace: 'default', ports: [5432], restartAlways: true },
  poll: { kind: 'Deployment', replicas: 2, namespace: 'default', memoryLimit: '128M', ports: [80], host: 'poll.dop.io', spread: true },
  worker: { kind: 'Deployment', replicas: 1, namespace: 'default', memoryLimit: '256M', ports: [] },
  result: { kind: 'Deployment', replicas: 2, namespace: 'default', memoryLimit: '128M', ports: [80], host: 'result.dop.io', spread: true },
  traefik: { kind: 'Deployment', replicas: 2, namespace: 'kube-public', ports: [80, 8080], spread: true },
  cadvisor: { kind: 'DaemonSet', namespace: 'kube-system', ports: [8080], restartAlways: true },
};

/** The 19 files of a Bernstein deployment directory and the kinds each must hold. */
export const FILES: Record<string, readonly (readonly string[])[]> = {
  'cadvisor.daemonset.yaml': [['DaemonSet']],
  'poll.deployment.yaml': [['Deployment']],
  'poll.ingress.yaml': [['Ingress', 'IngressRoute']],
  'poll.service.yaml': [['Service']],
  'postgres.configmap.yaml': [['ConfigMap']],
  'postgres.deployment.yaml': [['Deployment']],
  'postgres.secret.yaml': [['Secret']],
  'postgres.service.yaml': [['Service']],
  'postgres.volume.yaml': [['PersistentVolume'], ['PersistentVolumeClaim']],
  'redis.configmap.yaml': [['ConfigMap']],
  'redis.deployment.yaml': [['Deployment']],
  'redis.service.yaml': [['Service']],
  'result.deployment.yaml': [['Deployment']],
  'result.ingress.yaml': [['Ingress', 'IngressRoute']],
  'result.service.yaml': [['Service']],
  'traefik.deployment.yaml': [['Deployment']],
  'traefik.rbac.yaml': [['ClusterRole'], ['ClusterRoleBinding']],
  'traefik.service.yaml': [['Service']],
  'worker.deployment.yaml': [['Deployment']],
};

export const NODE_PORTS = { proxy: { port: 80, nodePort: 30021 }, dashboard: { port: 8080, nodePort: 30042 } };

export const CADVISOR_MOUNTS: readonly { host: string; mount: string }[] = [
  { host: '/', mount: '/rootfs' },
  { host: '/var/run', mount: '/var/run' },
  { host: '/sys', mount: '/sys' },
  { host: '/var/lib/docker', mount: '/var/lib/docker' },
  { host: '/dev/disk', mount: '/dev/disk' },
];

export const POSTGRES_DATA = ['/var/lib/postgresql/data', '/var/lib/postgresql'];
export const CONFIGMAP_VARS = ['REDIS_HOST', 'POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_DB'];
export const SECRET_VARS = ['POSTGRES_USER', 'POSTGRES_PASSWORD'];

function matches(value: unknown, c: Component): boolean {
  return typeof value === 'string' && (value === c || value.startsWith(`${c}-`) || value.startsWith(`${c}.`) || (c === 'postgres' && value.startsWith('postgresql')));
}

/** Which component an object belongs to: by label, then name, then file name prefix. */
export function componentOf(o: K8sObject): Component | undefined {
  const labels = { ...labelsOf(o), ...(podTemplate(o)?.labels ?? {}) };
  for (const key of ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/component']) {
    const c = COMPONENTS.find((c) => matches(labels[key], c));
    if (c) return c;
  }
  return COMPONENTS.find((c) => matches(o.name, c)) ?? COMPONENTS.find((c) => matches(basename(o.file), c));
}

/** The workload of a component (Deployment, StatefulSet or DaemonSet). */
export function workloadOf(objects: readonly K8sObject[], c: Component): K8sObject | undefined {
  return objects.find((o) => isKindOf(SERVICE_WORKLOAD_KINDS, o.kind) && componentOf(o) === c);
}

/** The main container of a component's workload (the one named like it, else the first). */
export function mainContainer(o: K8sObject): ContainerRef | undefined {
  const containers = containersOf(o, false);
  const c = componentOf(o);
  return containers.find((x) => c !== undefined && x.name?.includes(c) === true) ?? containers[0];
}

/** The six categories of the course's 29 grading tests, and the rules that cover each. */
export const GRADING_CATEGORIES: Record<string, readonly string[]> = {
  Deployments: ['bernstein-workloads', 'bernstein-replicas', 'bernstein-namespace', 'bernstein-restart', 'image-tag', 'selector-template-match'],
  'Environment variables': ['bernstein-configmaps', 'bernstein-secret', 'service-env', 'secret-data-base64', 'config-ref'],
  Volumes: ['bernstein-volume', 'pvc-ref', 'document-separator'],
  Networking: ['bernstein-services', 'bernstein-routing', 'bernstein-container-ports', 'service-selector-match', 'service-target-port', 'ingress-backend', 'traefik-provider', 'traefik-rbac'],
  Scheduling: ['bernstein-anti-affinity', 'anti-affinity-selector', 'bernstein-memory-limit'],
  DaemonSet: ['bernstein-cadvisor'],
};

export interface CategoryResult {
  readonly category: string;
  readonly errors: number;
}

/** Error-level findings per grading category: what the course's tests would likely fail. */
export function gradingSummary(findings: readonly { rule: string; severity: string }[]): CategoryResult[] {
  return Object.entries(GRADING_CATEGORIES).map(([category, rules]) => ({
    category,
    errors: findings.filter((f) => f.severity === 'error' && rules.includes(f.rule)).length,
  }));
}
