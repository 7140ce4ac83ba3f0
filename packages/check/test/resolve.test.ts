// The resolution analyses (env-host-resolves, storage binding, API versions, empty files, image
// registries, CRDs applied with their objects): exact messages on their fixtures, and the
// helpers that resolve values the way a cluster would.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CLUSTER, type ClusterModel } from '../src/cluster/model.js';
import { checkUnits, type CheckOptions } from '../src/engine.js';
import { loadUnits } from '../src/load/inputs.js';
import { changeFor, minorOf } from '../src/resolve/api-versions.js';
import { classifyHost } from '../src/resolve/dns.js';
import { resolveEnv } from '../src/resolve/env.js';
import { resolveImage } from '../src/resolve/image-ref.js';
import { peerAddresses } from '../src/resolve/peers.js';
import { containersIn } from '../src/resolve/pods.js';
import { quantityBytes } from '../src/resolve/storage.js';
import { promisedKinds } from '../src/rules/empty-manifest.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixture = (id: string, variant = 'fail') => join(here, 'fixtures', 'rules', id, variant);

/** The default model's nodes on a cluster without a default StorageClass. */
const NO_DEFAULT_CLASS: ClusterModel = { name: 'no default StorageClass (1 tainted control plane + 2 workers)', nodes: DEFAULT_CLUSTER.nodes };

async function findings(paths: readonly string[], id: string, opts: Partial<CheckOptions> = {}): Promise<string[]> {
  const units = await loadUnits(paths, { cwd: here });
  const out = await checkUnits(units, { profiles: ['bernstein', 'production'], only: [id], ...opts });
  return out.map((f) => `${f.file}:${f.fieldLine ?? ''} ${f.message}`);
}

/** Checks YAML text written to a file of its own (named `name`). */
async function checkText(yaml: string, id: string, opts: Partial<CheckOptions> = {}, name = 'app.yaml'): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'resolve-test-'));
  try {
    await writeFile(join(dir, name), yaml);
    const units = await loadUnits([dir], { cwd: dir });
    const out = await checkUnits(units, { profiles: ['bernstein', 'production'], only: [id], ...opts });
    return out.map((f) => `${f.fieldLine ?? ''} ${f.message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('env-host-resolves', () => {
  it('reads the peers from the configuration schema', () => {
    assert.deepEqual(peerAddresses(), [
      { service: 'redis', hostVariable: 'REDIS_HOST', portVariable: 'REDIS_PORT', defaultPort: 6379 },
      { service: 'postgres', hostVariable: 'POSTGRES_HOST', portVariable: 'POSTGRES_PORT', defaultPort: 5432 },
    ]);
  });

  it('classifies host names as cluster DNS resolves them', () => {
    const ns = new Set(['shop', 'data']);
    assert.deepEqual(classifyHost('redis', 'shop', ns), { kind: 'service', name: 'redis', namespace: 'shop', qualified: false });
    assert.deepEqual(classifyHost('postgres.data', 'shop', ns), { kind: 'service', name: 'postgres', namespace: 'data', qualified: true });
    assert.deepEqual(classifyHost('postgres.data.svc', 'shop', ns), { kind: 'service', name: 'postgres', namespace: 'data', qualified: true });
    assert.deepEqual(classifyHost('postgres.data.svc.cluster.local', 'shop', ns), { kind: 'service', name: 'postgres', namespace: 'data', qualified: true });
    assert.deepEqual(classifyHost('postgres-0.postgres.data.svc.cluster.local', 'shop', ns), { kind: 'service', name: 'postgres', namespace: 'data', qualified: true });
    assert.deepEqual(classifyHost('db.example.com', 'shop', ns), { kind: 'external' });
    assert.deepEqual(classifyHost('db.example', 'shop', ns), { kind: 'external' });
    assert.deepEqual(classifyHost('10.0.0.7', 'shop', ns), { kind: 'ip' });
    assert.deepEqual(classifyHost('localhost', 'shop', ns), { kind: 'loopback' });
    assert.deepEqual(classifyHost('127.0.0.1', 'shop', ns), { kind: 'loopback' });
    assert.deepEqual(classifyHost(' ', 'shop', ns), { kind: 'empty' });
    assert.deepEqual(classifyHost('$(DB_HOST)', 'shop', ns), { kind: 'unresolved' });
  });

  it('resolves a variable as the kubelet does: env over envFrom, the last envFrom source first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'resolve-env-'));
    try {
      await writeFile(
        join(dir, 'app.yaml'),
        [
          'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {REDIS_HOST: from-a, POSTGRES_HOST: pg-a}',
          'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {REDIS_HOST: from-b}',
          'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {OTHER: x}',
          'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: x:1\n      envFrom: [{configMapRef: {name: a}}, {configMapRef: {name: b}}, {secretRef: {name: s}}, {secretRef: {name: gone}, prefix: DB_}]\n      env: [{name: WORKER_NAME, value: w1}, {name: FROM_FIELD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]',
        ].join('\n---\n'),
      );
      const [unit] = await loadUnits([dir], { cwd: dir });
      const objects = unit?.objects ?? [];
      const pod = objects.find((o) => o.kind === 'Pod');
      const c = pod ? containersIn(pod)[0] : undefined;
      assert.ok(pod && c);
      const value = (name: string) => {
        const r = resolveEnv(objects, pod, c, name);
        return r.state === 'value' ? `${r.value} from ${r.source}` : r.state;
      };
      assert.equal(value('REDIS_HOST'), 'from-b from ConfigMap "b"');
      assert.equal(value('POSTGRES_HOST'), 'pg-a from ConfigMap "a"');
      assert.equal(value('WORKER_NAME'), 'w1 from its env');
      assert.equal(value('FROM_FIELD'), 'opaque');
      assert.equal(value('DB_HOST'), 'opaque');
      assert.equal(value('NOT_SET'), 'unset');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports each unresolvable address where it is written, with its readers', async () => {
    const f = 'fixtures/rules/env-host-resolves/fail/app.yaml';
    assert.deepEqual(await findings([fixture('env-host-resolves')], 'env-host-resolves'), [
      `${f}:8 REDIS_HOST is "localhost": inside a pod that is the pod itself, and no container of the pod listens on 6379; name the redis Service (read by Deployment "poll" container "poll")`,
      `${f}:18 POSTGRES_HOST is "postgres": there is no Service "postgres" in namespace "shop"; Service "postgres" is in namespace "data": write "postgres.data" (read by Deployment "result" container "result")`,
      `${f}:83 REDIS_HOST is "REDIS_HOST", the variable's own name, not the address of redis (container "worker")`,
      `${f}:87 POSTGRES_PORT is "5433": Service "postgres" of namespace "data" exposes 5432, not 5433 (container "worker")`,
      `${f}:125 POSTGRES_HOST is "pg.data.svc.cluster.local": there is no Service "pg" in namespace "data" (container "migrate")`,
    ]);
  });

  it('checks the default port when the port variable is unset, and says nothing without any Service', async () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: redis}\nspec:\n  ports: [{port: 7000}]\n';
    const app = 'apiVersion: v1\nkind: Pod\nmetadata: {name: poll}\nspec:\n  containers:\n    - name: poll\n      image: ghcr.io/x/bernstein-poll:1.0.0\n      env:\n        - {name: REDIS_HOST, value: redis}\n';
    assert.deepEqual(await checkText(`${svc}---\n${app}`, 'env-host-resolves'), ['15 REDIS_PORT is unset, so 6379 is used: Service "redis" of namespace "default" exposes 7000, not 6379 (container "poll")']);
    assert.deepEqual(await checkText(app, 'env-host-resolves'), []);
    const named = app.replace('{name: REDIS_HOST, value: redis}', '{name: REDIS_HOST, value: redis}\n        - {name: REDIS_PORT, value: REDIS_PORT}');
    assert.deepEqual(await checkText(`${svc}---\n${named}`, 'env-host-resolves'), ['16 REDIS_PORT is "REDIS_PORT": not a port number, so the service exits at start (container "poll")']);
  });
});

describe('storage binding', () => {
  it('pvc-binding says why each claim stays Pending', async () => {
    const f = 'fixtures/rules/pvc-binding/fail/storage.yaml';
    const noDefault = `the cluster has no default StorageClass (cluster: ${NO_DEFAULT_CLASS.name}), so it binds only a volume without a class`;
    assert.deepEqual(await findings([fixture('pvc-binding')], 'pvc-binding', { cluster: NO_DEFAULT_CLASS }), [
      `${f}:7 PersistentVolumeClaim "cache" stays Pending: it sets no storageClassName and ${noDefault}, and no PersistentVolume of the input can bind it (PersistentVolume "nfs" holds 10Gi, the claim asks 20Gi; has labels that do not match the claim's selector)`,
      `${f}:39 PersistentVolumeClaim "data" stays Pending: PersistentVolume "data" holds 1Gi, the claim asks 5Gi`,
      `${f}:63 PersistentVolumeClaim "uploads" stays Pending: storageClassName "" binds only a volume without a class and is never provisioned, and no PersistentVolume of the input can bind it (PersistentVolume "nfs" offers ReadWriteOnce, the claim asks ReadWriteMany)`,
      `${f}:82 PersistentVolumeClaim "logs" stays Pending: StorageClass "local-storage" has no provisioner (kubernetes.io/no-provisioner), and no PersistentVolume of the input can bind it`,
      `${f}:107 claim "aof-redis-1" of this StatefulSet stays Pending: storageClassName "" binds only a volume without a class and is never provisioned, and no PersistentVolume of the input can bind it (PersistentVolume "data" is reserved for claim "default/data" (claimRef))`,
      `${f}:135 PersistentVolumeClaim "manual-claim" stays Pending: storageClassName "manual" names no StorageClass, only the input's own PersistentVolumes, so nothing provisions it, and no PersistentVolume of the input can bind it (PersistentVolume "manual-pv" holds 2Gi, the claim asks 5Gi)`,
    ]);
  });

  it('a claim without a class is provisioned on a cluster with a default StorageClass', async () => {
    const pvc = 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: redis}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n';
    assert.equal(DEFAULT_CLUSTER.defaultStorageClass, 'standard', 'the default model has one, as k3s, kind and minikube do');
    assert.deepEqual(await checkText(pvc, 'pvc-binding'), []);
    assert.equal((await checkText(pvc, 'pvc-binding', { cluster: NO_DEFAULT_CLASS })).length, 1);
  });

  it('pv-host-path needs two schedulable nodes to matter', async () => {
    const f = 'fixtures/rules/pv-host-path/fail/volumes.yaml';
    assert.deepEqual(await findings([fixture('pv-host-path')], 'pv-host-path'), [
      `${f}:11 hostPath PersistentVolume "postgres" has no required nodeAffinity: a pod using it may start on any of 2 schedulable nodes (worker-1, worker-2) and find an empty directory there`,
      `${f}:27 hostPath PersistentVolume "redis" has a nodeAffinity that matches 2 schedulable nodes (worker-1, worker-2): the directory exists on one node only`,
    ]);
    const single: ClusterModel = { ...DEFAULT_CLUSTER, nodes: DEFAULT_CLUSTER.nodes.slice(0, 2) };
    assert.deepEqual(await findings([fixture('pv-host-path')], 'pv-host-path', { cluster: single }), []);
  });

  it('pv-reclaim-rebind names the claim the volume is meant for', async () => {
    const f = 'fixtures/rules/pv-reclaim-rebind/fail/volume.yaml';
    assert.deepEqual(await findings([fixture('pv-reclaim-rebind')], 'pv-reclaim-rebind'), [
      `${f}:10 PersistentVolume "postgres" is Retain without a claimRef: any claim without a class that fits can take it before claim "votes/postgres", and once that claim is deleted the volume stays Released and a recreated claim stays Pending`,
      `${f}:34 PersistentVolume "backups" is Retain without a claimRef: any claim of class "slow" that fits can take it before its claim, and once that claim is deleted the volume stays Released and a recreated claim stays Pending`,
    ]);
  });

  it('reads storage quantities', () => {
    assert.equal(quantityBytes('5Gi'), 5 * 2 ** 30);
    assert.equal(quantityBytes('500M'), 5e8);
    assert.equal(quantityBytes('lots'), undefined);
  });
});

describe('API versions', () => {
  it('knows when each version was deprecated and removed', () => {
    assert.equal(minorOf('1.34'), 34);
    assert.equal(minorOf('v1.25.3'), 25);
    assert.equal(minorOf('2.0'), undefined);
    assert.deepEqual(changeFor('policy/v1beta1', 'PodDisruptionBudget'), { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], deprecated: 21, removed: 25, replacement: 'policy/v1' });
    assert.equal(changeFor('policy/v1', 'PodDisruptionBudget'), undefined);
  });

  it('api-version-removed names the release and the replacement', async () => {
    const f = 'fixtures/rules/api-version-removed/fail/old.yaml';
    assert.deepEqual(await findings([fixture('api-version-removed')], 'api-version-removed'), [
      `${f}:2 extensions/v1beta1 Ingress was removed in Kubernetes 1.22 (target 1.34): use networking.k8s.io/v1`,
      `${f}:11 policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (target 1.34): use policy/v1`,
      `${f}:21 batch/v1beta1 CronJob was removed in Kubernetes 1.25 (target 1.34): use batch/v1`,
      `${f}:36 rbac.authorization.k8s.io/v1beta1 ClusterRole was removed in Kubernetes 1.22 (target 1.34): use rbac.authorization.k8s.io/v1`,
    ]);
  });

  it('a version removed later is only deprecated at an older target', async () => {
    const pdb = 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: poll}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: poll}}\n';
    assert.deepEqual(await checkText(pdb, 'api-version-removed', { kubernetesVersion: '1.24' }), []);
    assert.deepEqual(await checkText(pdb, 'api-version-deprecated', { kubernetesVersion: '1.24' }), [
      '1 policy/v1beta1 PodDisruptionBudget is deprecated since Kubernetes 1.21 (target 1.24) and Kubernetes 1.25 removes it: use policy/v1',
    ]);
    assert.deepEqual(await checkText(pdb, 'api-version-deprecated', { kubernetesVersion: '1.20' }), []);
  });

  it('api-version-deprecated reports Endpoints at 1.34', async () => {
    assert.deepEqual(await findings([fixture('api-version-deprecated')], 'api-version-deprecated'), [
      'fixtures/rules/api-version-deprecated/fail/endpoints.yaml:10 v1 Endpoints is deprecated since Kubernetes 1.33 (target 1.34) and no removal is scheduled yet: use discovery.k8s.io/v1 EndpointSlice (labelled kubernetes.io/service-name: <service>)',
    ]);
  });
});

describe('files, images and CRDs', () => {
  it('reads the kinds a file name promises', () => {
    assert.deepEqual(promisedKinds('deploy/poll.service.yaml'), ['Service']);
    assert.deepEqual(promisedKinds('postgres.volume.yml'), ['PersistentVolume', 'PersistentVolumeClaim']);
    assert.deepEqual(promisedKinds('serviceaccounts.yaml'), ['ServiceAccount']);
    assert.deepEqual(promisedKinds('network.policies.yaml'), undefined);
    assert.deepEqual(promisedKinds('networkpolicies.yaml'), ['NetworkPolicy']);
    assert.equal(promisedKinds('postgres.backup.yaml'), undefined);
  });

  it('empty-manifest reports empty files and broken promises', async () => {
    const d = 'fixtures/rules/empty-manifest/fail';
    assert.deepEqual(await findings([fixture('empty-manifest')], 'empty-manifest'), [
      `${d}/notes.yaml:1 the file holds no Kubernetes object (it is empty or only comments)`,
      `${d}/poll.service.yaml:1 the name promises a Service, but the file holds no object (it is empty or only comments)`,
      `${d}/postgres.volume.yaml:2 the name promises a PersistentVolume or PersistentVolumeClaim, but the file holds ConfigMap`,
      `${d}/worker.deployment.yaml:1 the name promises a Deployment, but the file holds Service`,
    ]);
  });

  it('resolves image references to their registry', () => {
    assert.deepEqual(resolveImage('bernstein/poll:0.1.0'), { registry: undefined, canonical: 'docker.io/bernstein/poll:0.1.0', hubNamespace: 'bernstein', digest: undefined });
    assert.deepEqual(resolveImage('postgres:17'), { registry: undefined, canonical: 'docker.io/library/postgres:17', hubNamespace: 'library', digest: undefined });
    assert.equal(resolveImage('ghcr.io/x/poll:1@sha256:ab').registry, 'ghcr.io');
    assert.equal(resolveImage('ghcr.io/x/poll:1@sha256:ab').digest, 'sha256:ab');
    assert.equal(resolveImage('localhost:5000/poll:1').registry, 'localhost:5000');
    assert.equal(resolveImage('localhost/poll:1').registry, 'localhost');
  });

  it('image-registry reports Docker Hub namespaces and missing digests', async () => {
    const f = 'fixtures/rules/image-registry/fail/app.yaml';
    const digest = '4c1e1b8c3a1f0f2e6c1d8b7a9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b';
    assert.deepEqual(await findings([fixture('image-registry')], 'image-registry'), [
      `${f}:16 image "bernstein/worker:0.1.0@sha256:${digest}" names no registry, so it is pulled from Docker Hub as docker.io/bernstein/worker:0.1.0@sha256:${digest}, from whoever owns the namespace "bernstein" there`,
      `${f}:19 image "bernstein/poll:0.1.0" names no registry, so it is pulled from Docker Hub as docker.io/bernstein/poll:0.1.0, from whoever owns the namespace "bernstein" there`,
      `${f}:19 image "bernstein/poll:0.1.0" is not pinned by digest: the registry can serve other content under the same tag`,
      `${f}:21 image "redis:7.4.6-bookworm" is not pinned by digest: the registry can serve other content under the same tag`,
      `${f}:23 image "ghcr.io/someone/proxy:1.2.0" is not pinned by digest: the registry can serve other content under the same tag`,
    ]);
  });

  it('crd-same-apply reports the objects of a CRD applied with it', async () => {
    assert.deepEqual(await findings([fixture('crd-same-apply')], 'crd-same-apply'), [
      'fixtures/rules/crd-same-apply/fail/traefik.yaml:23 Middleware "strip-prefix" is applied together with CustomResourceDefinition "middlewares.traefik.io" that defines it: the first kubectl apply fails with no matches for kind "Middleware" in version "traefik.io/v1alpha1"; apply the CRDs first',
    ]);
  });
});
