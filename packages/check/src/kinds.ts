/**
 * Named groups of kinds, so rules declare (and the engine dispatches on) the same lists instead
 * of each carrying its own copy.
 */

/** Kinds that carry a pod template (or are a pod), i.e. run containers. */
export const POD_TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'] as const;
export type PodTemplateKind = (typeof POD_TEMPLATE_KINDS)[number];

/** Controllers that keep a set of pods alive and select them with `spec.selector`. */
export const CONTROLLER_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'] as const satisfies readonly PodTemplateKind[];

/** Controllers with `spec.replicas` (1 when unset, as the API defaults it). */
export const REPLICATED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet'] as const satisfies readonly PodTemplateKind[];
export type ReplicatedKind = (typeof REPLICATED_KINDS)[number];

/** Long-running workloads people write (ReplicaSets are normally created by Deployments). */
export const SERVICE_WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const satisfies readonly PodTemplateKind[];

/** Role-based access control. */
export const ROLE_KINDS = ['Role', 'ClusterRole'] as const;
export const BINDING_KINDS = ['RoleBinding', 'ClusterRoleBinding'] as const;
export const RBAC_KINDS = [...ROLE_KINDS, ...BINDING_KINDS] as const;

/** Objects that route HTTP traffic to Services. */
export const ROUTE_KINDS = ['Ingress', 'IngressRoute'] as const;

/** Objects whose keys containers read as variables or files. */
export const CONFIG_KINDS = ['ConfigMap', 'Secret'] as const;

export const STORAGE_KINDS = ['PersistentVolume', 'PersistentVolumeClaim'] as const;

/** Pseudo-kinds of a rule's `kinds`: compose files, Dockerfiles, and any object. */
export const COMPOSE = 'compose';
export const DOCKERFILE = 'Dockerfile';
export const ANY_KIND = '*';

export function isKindOf<K extends string>(group: readonly K[], kind: string): kind is K {
  return group.some((k) => k === kind);
}
