/**
 * "Instance N" of the whole app: one small overlay (namespace + name prefix + host names)
 * that shares the cluster's Traefik and cAdvisor. overlays/instance-2 is this overlay for
 * N = 2, and CI builds several side by side from this template.
 */
import { APP_EXTERNAL_SECRETS } from './layout.js';

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
# name prefix and host names; it shares the cluster's Traefik and cAdvisor (app-only). The
# shared Traefik must watch its namespace: add it to --providers.kubernetesIngress.namespaces
# of the first installation (docs/operations.md, "Another instance").
# A new instance N is this file with ${n} replaced by N (namespace.yaml too), nothing else.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${i.namespace}
namePrefix: ${i.namePrefix}
resources:
  - ${kubernetesPath}/base
  - namespace.yaml
components:
  # Default deny, then least privilege (app-only below drops the policies of the shared
  # Traefik and cAdvisor).
  - ${kubernetesPath}/components/network-policies
  # No committed Secret: each is created out of band (deploy/cluster/secrets.sh) and
  # declared in bernstein-check.yaml beside this file.
  - ${kubernetesPath}/ops/out-of-band-secrets
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

/** The Secrets an instance expects to be created out of band, with their keys (bernstein-check.yaml). */
export const INSTANCE_EXTERNAL_SECRETS = APP_EXTERNAL_SECRETS;

/**
 * The overlay's bernstein-check.yaml: its out-of-band Secrets (named as the base names them:
 * references to objects the render does not contain keep their names, and the namespace
 * already sets the instances apart) and the shared Traefik's ServiceAccount, which its
 * RoleBinding traefik-secrets names.
 */
export function instanceCheckDeclaration(n: number): string {
  const i = instance(n);
  const entries = Object.entries(INSTANCE_EXTERNAL_SECRETS).map(
    ([name, keys]) => `  - kind: Secret\n    name: ${name}\n    namespace: ${i.namespace}\n    keys: [${keys.join(', ')}]\n`,
  );
  return `# The Secrets of instance ${n}, created out of band (deploy/cluster/secrets.sh --namespace ${i.namespace}),
# never committed, and the first installation's Traefik ServiceAccount. \`bernstein check\` reads
# this file when it checks this directory: references to them resolve, a reference to any
# other key is still an error.
external:
${entries.join('')}  - kind: ServiceAccount
    name: traefik
    namespace: kube-public
`;
}
