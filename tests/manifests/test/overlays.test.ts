import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { instance, PRODUCTION_EXTERNAL_SECRETS, renderInstance, renderOverlay, SIDE_BY_SIDE_INSTANCES, type K8sObject } from '../lib/index.js';
import { allInvariants } from './invariants.js';
import { find, get, ns, ofKind, spec, workloads } from './k8s.js';

const images = (objects: readonly K8sObject[]) =>
  workloads(objects).flatMap((w) => [...(w.pod.initContainers ?? []), ...w.pod.containers].map((c) => ({ w, c })));

describe('overlay local (k3d or kind, 1 server + 2 agents)', () => {
  let objects: K8sObject[];
  before(async () => {
    objects = (await renderOverlay('local')).objects;
  });

  it('holds every production invariant', () => {
    assert.deepEqual(allInvariants(objects), []);
  });

  it('never pulls Bernstein images: they are built and loaded into the nodes', () => {
    const ours = images(objects).filter(({ c }) => c.image.startsWith('bernstein/'));
    assert.equal(ours.length, 6);
    for (const { w, c } of ours) assert.equal(c.imagePullPolicy, 'Never', `${w.name}/${c.name}`);
    for (const { w, c } of images(objects).filter(({ c }) => !c.image.startsWith('bernstein/'))) assert.equal(c.imagePullPolicy, 'IfNotPresent', `${w.name}/${c.name}`);
  });

  it('serves on the course NodePorts', () => {
    const ports = spec<{ ports: { nodePort: number }[] }>(get(objects, 'Service', 'traefik', 'kube-public')).ports.map((p) => p.nodePort);
    assert.deepEqual(ports, [30021, 30042]);
  });
});

describe('overlay production', () => {
  let objects: K8sObject[];
  before(async () => {
    objects = (await renderOverlay('production')).objects;
  });

  it('holds every production invariant, with the secrets created out of band', () => {
    assert.deepEqual(allInvariants(objects, { externalSecrets: PRODUCTION_EXTERNAL_SECRETS }), []);
  });

  it('moves the whole app to its own namespace and leaves only the edge in kube-*', () => {
    get(objects, 'Namespace', 'bernstein');
    const byNamespace = new Map<string, string[]>();
    for (const o of objects.filter((x) => x.metadata.namespace !== undefined)) {
      byNamespace.set(ns(o), [...(byNamespace.get(ns(o)) ?? []), `${o.kind}/${o.metadata.name}`]);
    }
    assert.deepEqual([...byNamespace.keys()].sort(), ['bernstein', 'kube-public', 'kube-system']);
    assert.ok((byNamespace.get('kube-public') ?? []).every((n) => n.endsWith('/traefik')), String(byNamespace.get('kube-public')));
    assert.ok((byNamespace.get('kube-system') ?? []).every((n) => n.endsWith('/cadvisor')), String(byNamespace.get('kube-system')));
    const binding = get(objects, 'ClusterRoleBinding', 'bernstein-prometheus') as unknown as { subjects: { namespace: string }[] };
    assert.equal(binding.subjects[0]?.namespace, 'bernstein');
  });

  it('ships no credentials: the development Secrets are gone', () => {
    assert.deepEqual(ofKind(objects, 'Secret'), []);
    const text = JSON.stringify(objects);
    assert.ok(!text.includes('YmVybnN0ZWluLWRldi1wYXNzd29yZA'), 'development password found');
  });

  it('runs three of every stateless service, spread over nodes', () => {
    for (const name of ['poll', 'result']) assert.equal(spec<{ minReplicas: number }>(get(objects, 'HorizontalPodAutoscaler', name)).minReplicas, 3);
    for (const name of ['worker', 'traefik']) assert.equal(spec<{ replicas: number }>(get(objects, 'Deployment', name)).replicas, 3);
  });

  it('serves HTTPS through Traefik and redirects plain HTTP', () => {
    const args = workloads(objects).find((w) => w.name === 'traefik')?.pod.containers[0]?.args ?? [];
    for (const a of ['--entryPoints.websecure.address=:443', '--entryPoints.web.http.redirections.entryPoint.to=websecure']) assert.ok(args.includes(a), a);
    for (const name of ['poll', 'result']) {
      const ing = get(objects, 'Ingress', name);
      assert.equal(ing.metadata.annotations?.['traefik.ingress.kubernetes.io/router.tls'], 'true');
      assert.equal(ing.metadata.annotations?.['traefik.ingress.kubernetes.io/router.entrypoints'], 'websecure');
      assert.deepEqual(spec<{ tls: unknown }>(ing).tls, [{ hosts: [`${name}.dop.io`], secretName: 'bernstein-tls' }]);
    }
    assert.deepEqual(spec<{ tls: unknown; entryPoints: string[] }>(get(objects, 'IngressRoute', 'poll-weighted')).entryPoints, ['websecure']);
    const ports = spec<{ ports: { name: string; nodePort: number }[] }>(get(objects, 'Service', 'traefik')).ports;
    assert.deepEqual(ports.map((p) => p.name).sort(), ['web', 'websecure'], 'the dashboard is not published in production');
  });

  it('includes every component but the opt-in KEDA one', () => {
    for (const [kind, name] of [['HorizontalPodAutoscaler', 'poll'], ['NetworkPolicy', 'default-deny'], ['Deployment', 'prometheus'], ['TraefikService', 'poll-weighted']] as const) {
      assert.ok(find(objects, kind, name), `${kind} ${name}`);
    }
    assert.equal(find(objects, 'ScaledObject', 'worker'), undefined);
  });
});

describe(`${SIDE_BY_SIDE_INSTANCES.length} instances side by side (namespace + name prefix + hosts)`, () => {
  let work: string;
  const renders = new Map<number, K8sObject[]>();
  let cluster: K8sObject[];
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'bernstein-instances-'));
    for (const n of SIDE_BY_SIDE_INSTANCES) renders.set(n, (await renderInstance(work, n)).objects);
    // The cluster: the local overlay (which brings Traefik and cAdvisor) plus every instance.
    cluster = [...(await renderOverlay('local')).objects, ...[...renders.values()].flat()];
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('each holds every production invariant, relying on the shared Traefik', () => {
    for (const [n, objects] of renders) assert.deepEqual(allInvariants(objects, { externalIngressClasses: ['traefik'] }), [], `instance ${n}`);
  });

  it('share nothing: no two objects of the cluster have the same identity', () => {
    const ids = cluster.map((o) => `${o.apiVersion.split('/')[0]} ${o.kind} ${o.metadata.namespace ?? '(cluster)'}/${o.metadata.name}`);
    const dupes = ids.filter((x, i) => ids.indexOf(x) !== i);
    assert.deepEqual(dupes, []);
  });

  it('have distinct hosts, data directories and no NodePorts of their own', () => {
    const hosts = ofKind(cluster, 'Ingress').flatMap((i) => spec<{ rules: { host: string }[] }>(i).rules.map((r) => r.host));
    assert.equal(new Set(hosts).size, hosts.length, hosts.join(' '));
    assert.equal(hosts.length, 2 * (SIDE_BY_SIDE_INSTANCES.length + 1));
    const paths = ofKind(cluster, 'PersistentVolume').map((pv) => spec<{ hostPath: { path: string } }>(pv).hostPath.path);
    assert.equal(new Set(paths).size, paths.length, paths.join(' '));
    for (const objects of renders.values()) {
      assert.ok(!ofKind(objects, 'Service').some((s) => spec<{ type?: string }>(s).type === 'NodePort'));
    }
  });

  it('are wired to their own databases under their prefixed names', () => {
    for (const [n, objects] of renders) {
      const i = instance(n);
      assert.deepEqual([...new Set(objects.filter((o) => o.metadata.namespace).map(ns))], [i.namespace]);
      const data = (name: string) => (get(objects, 'ConfigMap', `${i.namePrefix}${name}`) as unknown as { data: Record<string, string> }).data;
      assert.equal(data('redis').REDIS_HOST, `${i.namePrefix}redis`);
      assert.equal(data('postgres').POSTGRES_HOST, `${i.namePrefix}postgres`);
      get(objects, 'Service', `${i.namePrefix}redis`, i.namespace);
      get(objects, 'Service', `${i.namePrefix}postgres`, i.namespace);
      const hosts = ofKind(objects, 'Ingress').map((o) => spec<{ rules: { host: string }[] }>(o).rules[0]?.host).sort();
      assert.deepEqual(hosts, [i.pollHost, i.resultHost]);
    }
  });
});
