/**
 * "Instance N" of the whole app: one small overlay (namespace + name prefix + host names)
 * that shares the cluster's Traefik and cAdvisor. overlays/instance-2 is this overlay for
 * N = 2, and CI builds several side by side from this template.
 */

export interface Instance {
  readonly n: number;
  readonly namespace: string;
  readonly namePrefix: string;
  readonly pollHost: string;
  readonly resultHost: string;
  /** Where the instance's PostgreSQL data lives on the data node. */
  readonly dataPath: string;
}

export function instance(n: number): Instance {
  if (!Number.isSafeInteger(n) || n < 1 || n > 9999) {
    throw new RangeError(`instance number must be a whole number from 1 to 9999, got ${String(n)}`);
  }
  return {
    n,
    namespace: `bernstein-${n}`,
    namePrefix: `b${n}-`,
    pollHost: `poll-${n}.dop.io`,
    resultHost: `result-${n}.dop.io`,
    dataPath: `/var/lib/bernstein/bernstein-${n}/postgres`,
  };
}

/** The overlay's kustomization.yaml; `kubernetesPath` is deploy/kubernetes relative to it. */
export function instanceKustomization(n: number, kubernetesPath = '../..'): string {
  const i = instance(n);
  return `# Instance ${n} of the whole app, beside any others in the same cluster: its own namespace,
# name prefix and host names; it shares the cluster's Traefik and cAdvisor (app-only).
# A new instance N is this file with ${n} replaced by N (namespace.yaml too), nothing else.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${i.namespace}
namePrefix: ${i.namePrefix}
resources:
  - ${kubernetesPath}/base
  - namespace.yaml
components:
  - ${kubernetesPath}/components/app-only
replacements:
  # The apps find their databases through the (now prefixed) Service names.
  - source:
      kind: Service
      name: redis
    targets:
      - select:
          kind: ConfigMap
          name: redis
        fieldPaths: [data.REDIS_HOST]
  - source:
      kind: Service
      name: postgres
    targets:
      - select:
          kind: ConfigMap
          name: postgres
        fieldPaths: [data.POSTGRES_HOST]
  # PostgreSQL's PersistentVolume stays reserved for its claim, under the claim's new name
  # and namespace.
  - source:
      kind: PersistentVolumeClaim
      name: postgres
      fieldPath: metadata.name
    targets:
      - select:
          kind: PersistentVolume
          name: postgres
        fieldPaths: [spec.claimRef.name]
  - source:
      kind: PersistentVolumeClaim
      name: postgres
      fieldPath: metadata.namespace
    targets:
      - select:
          kind: PersistentVolume
          name: postgres
        fieldPaths: [spec.claimRef.namespace]
patches:
  - target:
      kind: Ingress
      name: poll
    patch: |-
      - op: replace
        path: /spec/rules/0/host
        value: ${i.pollHost}
  - target:
      kind: Ingress
      name: result
    patch: |-
      - op: replace
        path: /spec/rules/0/host
        value: ${i.resultHost}
  # Each instance's database directory on the data node.
  - target:
      kind: PersistentVolume
      name: postgres
    patch: |-
      - op: replace
        path: /spec/hostPath/path
        value: ${i.dataPath}
`;
}

export function instanceNamespace(n: number): string {
  const i = instance(n);
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${i.namespace}
  labels:
    app.kubernetes.io/part-of: bernstein
`;
}
