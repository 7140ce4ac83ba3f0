/**
 * API versions Kubernetes has deprecated or stopped serving, with the release of each step and
 * the version to use instead. Source: the Deprecated API Migration Guide,
 * https://kubernetes.io/docs/reference/using-api/deprecation-guide/ ("Removed APIs by release");
 * the release each was first deprecated in is the one the guide and the release notes give for
 * its deprecation warning.
 */

export interface ApiVersionChange {
  readonly apiVersion: string;
  readonly kinds: readonly string[];
  /** Minor release of Kubernetes 1.x that deprecated it. */
  readonly deprecated: number;
  /** Minor release that stopped serving it; undefined when no removal is scheduled. */
  readonly removed: number | undefined;
  /** What to use instead (an apiVersion, or a sentence when there is no direct successor). */
  readonly replacement: string;
}

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

export const API_VERSION_CHANGES: readonly ApiVersionChange[] = [
  // v1.16
  { apiVersion: 'extensions/v1beta1', kinds: ['Deployment', 'DaemonSet', 'ReplicaSet'], deprecated: 9, removed: 16, replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta1', kinds: ['Deployment', 'StatefulSet', 'ReplicaSet'], deprecated: 9, removed: 16, replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', kinds: WORKLOADS, deprecated: 9, removed: 16, replacement: 'apps/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['NetworkPolicy'], deprecated: 9, removed: 16, replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'extensions/v1beta1', kinds: ['PodSecurityPolicy'], deprecated: 10, removed: 16, replacement: 'policy/v1beta1 (itself removed in 1.25: use Pod Security Admission)' },
  // v1.22
  { apiVersion: 'extensions/v1beta1', kinds: ['Ingress'], deprecated: 14, removed: 22, replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', kinds: ['Ingress', 'IngressClass'], deprecated: 19, removed: 22, replacement: 'networking.k8s.io/v1' },
  { apiVersion: 'admissionregistration.k8s.io/v1beta1', kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], deprecated: 16, removed: 22, replacement: 'admissionregistration.k8s.io/v1' },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', kinds: ['CustomResourceDefinition'], deprecated: 16, removed: 22, replacement: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', kinds: ['APIService'], deprecated: 19, removed: 22, replacement: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'authentication.k8s.io/v1beta1', kinds: ['TokenReview'], deprecated: 19, removed: 22, replacement: 'authentication.k8s.io/v1' },
  { apiVersion: 'authorization.k8s.io/v1beta1', kinds: ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SubjectAccessReview'], deprecated: 19, removed: 22, replacement: 'authorization.k8s.io/v1' },
  { apiVersion: 'certificates.k8s.io/v1beta1', kinds: ['CertificateSigningRequest'], deprecated: 19, removed: 22, replacement: 'certificates.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', kinds: ['Lease'], deprecated: 19, removed: 22, replacement: 'coordination.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], deprecated: 17, removed: 22, replacement: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', kinds: ['PriorityClass'], deprecated: 14, removed: 22, replacement: 'scheduling.k8s.io/v1' },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], deprecated: 19, removed: 22, replacement: 'storage.k8s.io/v1' },
  // v1.25
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], deprecated: 21, removed: 25, replacement: 'batch/v1' },
  { apiVersion: 'discovery.k8s.io/v1beta1', kinds: ['EndpointSlice'], deprecated: 21, removed: 25, replacement: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', kinds: ['Event'], deprecated: 19, removed: 25, replacement: 'events.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta1', kinds: ['HorizontalPodAutoscaler'], deprecated: 22, removed: 25, replacement: 'autoscaling/v2' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], deprecated: 21, removed: 25, replacement: 'policy/v1' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodSecurityPolicy'], deprecated: 21, removed: 25, replacement: 'nothing: PodSecurityPolicy is gone; use Pod Security Admission (namespace labels pod-security.kubernetes.io/*)' },
  { apiVersion: 'node.k8s.io/v1beta1', kinds: ['RuntimeClass'], deprecated: 22, removed: 25, replacement: 'node.k8s.io/v1' },
  // v1.26
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', kinds: ['FlowSchema', 'PriorityLevelConfiguration'], deprecated: 23, removed: 26, replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta2', kinds: ['HorizontalPodAutoscaler'], deprecated: 23, removed: 26, replacement: 'autoscaling/v2' },
  // v1.27
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], deprecated: 24, removed: 27, replacement: 'storage.k8s.io/v1' },
  // v1.29
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', kinds: ['FlowSchema', 'PriorityLevelConfiguration'], deprecated: 26, removed: 29, replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  // v1.32
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kinds: ['FlowSchema', 'PriorityLevelConfiguration'], deprecated: 29, removed: 32, replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  // Deprecated in 1.33 with warnings, no removal planned
  // (https://kubernetes.io/blog/2025/04/24/endpoints-deprecation/).
  { apiVersion: 'v1', kinds: ['Endpoints'], deprecated: 33, removed: undefined, replacement: 'discovery.k8s.io/v1 EndpointSlice (labelled kubernetes.io/service-name: <service>)' },
];

/** The minor release of a "1.34", "v1.34.2" version; undefined when it is not 1.x. */
export function minorOf(version: string): number | undefined {
  const m = /^v?1\.(\d+)(\.\d+)?$/.exec(version.trim());
  return m ? Number(m[1]) : undefined;
}

export function changeFor(apiVersion: string, kind: string): ApiVersionChange | undefined {
  return API_VERSION_CHANGES.find((c) => c.apiVersion === apiVersion && c.kinds.includes(kind));
}
