/**
 * The fixes of the Kubernetes review (issue 9), each shown on the rendered objects: rollouts
 * that finish on the course's 2-node cluster, spreads that ignore tainted nodes and prefer
 * zones, images from our own registry pinned by digest, CRDs applied on their own, Traefik
 * keeping empty services and SSE streams, a PersistentVolume reserved for its claim,
 * PostgreSQL's startup probe and shared memory, and production's own IngressClass.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubernetesDir, OVERLAYS, renderDir, renderInstance, renderOverlay, SIDE_BY_SIDE_INSTANCES, type K8sObject } from '../lib/index.js';
import { get, ofKind, quantity, spec, workloads, type Container, type Workload } from './k8s.js';

/** The course's cluster: a tainted control plane and two workers take the pods. */
const SCHEDULABLE_NODES = 2;
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

const renders = new Map<string, K8sObject[]>();
let work: string;

const workload = (objects: readonly K8sObject[], name: string): Workload => {
  const w = workloads(objects).find((x) => x.name === name);
  if (!w) throw new Error(`no workload ${name}`);
  return w;
};
const containersOf = (w: Workload): Container[] => [...(w.pod.initContainers ?? []), ...w.pod.containers];
const traefikArgs = (objects: readonly K8sObject[]): string[] | undefined =>
  workloads(objects).find((w) => w.name === 'traefik')?.pod.containers[0]?.args;
interface Strategy {
  type: string;
  rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
}
const strategyOf = (w: Workload): Strategy => spec<{ strategy: Strategy }>(w.object).strategy;

describe('review of issue 9: the fixes, on the rendered manifests', () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'bernstein-review-9-'));
    renders.set('base', (await renderDir(join(kubernetesDir, 'base'))).objects);
    for (const o of OVERLAYS) renders.set(`overlay ${o}`, (await renderOverlay(o)).objects);
    for (const n of SIDE_BY_SIDE_INSTANCES) renders.set(`instance ${n}`, (await renderInstance(work, n)).objects);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('row 1: a Deployment requiring one pod per node rolls out in place, so it finishes on 2 nodes', () => {
    let checked = 0;
    for (const [name, objects] of renders) {
      for (const w of workloads(objects).filter((x) => x.kind === 'Deployment')) {
        const onePerNode = (w.pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some((t) => t.topologyKey === HOST);
        if (!onePerNode) continue;
        checked++;
        const { maxSurge, maxUnavailable } = strategyOf(w).rollingUpdate ?? {};
        const replicas = w.replicas ?? 1;
        // Pods alive at once during the rollout, each needing a node of its own.
        assert.ok(replicas + Number(maxSurge) <= SCHEDULABLE_NODES, `${name}: ${w.name} needs ${replicas + Number(maxSurge)} nodes to roll out`);
        assert.equal(maxUnavailable, 1, `${name}: ${w.name}`);
        assert.ok(replicas - Number(maxUnavailable) >= 1, `${name}: ${w.name} serves nothing during a rollout`);
      }
    }
    // poll, result and Traefik in the base and local; poll and result in 3 instances + instance-2.
    assert.ok(checked >= 14, `only ${checked} Deployments checked`);
    for (const app of ['poll', 'result', 'traefik']) {
      assert.deepEqual(strategyOf(workload(renders.get('base') ?? [], app)).rollingUpdate, { maxUnavailable: 1, maxSurge: 0 }, app);
    }
  });

  it('rows 1, 2 and 19: production spreads (surging again) over nodes it may use, and prefers distinct zones', () => {
    const objects = renders.get('overlay production') ?? [];
    for (const app of ['poll', 'result', 'traefik', 'worker']) {
      const w = workload(objects, app);
      const constraints = w.pod.topologySpreadConstraints ?? [];
      const byKey = new Map(constraints.map((t) => [t.topologyKey, t]));
      assert.deepEqual([...byKey.keys()].sort(), [HOST, ZONE], app);
      assert.equal(byKey.get(HOST)?.whenUnsatisfiable, 'DoNotSchedule', app);
      for (const t of constraints) {
        assert.equal(t.nodeTaintsPolicy, 'Honor', `${app} ${t.topologyKey}: the tainted control plane must not count as an empty domain`);
        assert.equal(t.maxSkew, 1, app);
        assert.deepEqual(t.labelSelector, { matchLabels: { app } }, app);
      }
      assert.equal(byKey.get(ZONE)?.whenUnsatisfiable, 'ScheduleAnyway', `${app}: a single-zone or unlabelled cluster must stay schedulable`);
      assert.equal(w.pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, undefined, app);
      assert.deepEqual(strategyOf(w).rollingUpdate, { maxUnavailable: 0, maxSurge: 1 }, app);
    }
  });

  it('row 5: production pulls our images from our registry, pinned by digest; local and instances keep the built names', () => {
    const ours = (objects: readonly K8sObject[]) =>
      workloads(objects).flatMap((w) => containersOf(w).map((c) => c.image)).filter((i) => /\/bernstein\/|^bernstein\//.test(i));
    const production = ours(renders.get('overlay production') ?? []);
    // poll, poll-canary, worker, result and the migrate Job.
    assert.equal(production.length, 5, production.join(' '));
    for (const image of production) {
      assert.match(image, /^registry\.example\.com\/bernstein\/(poll|worker|result):\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    }
    for (const name of ['overlay local', 'overlay instance-2', 'instance 1']) {
      for (const image of ours(renders.get(name) ?? [])) assert.match(image, /^bernstein\/(poll|worker|result):\d+\.\d+\.\d+$/, name);
    }
  });

  it('row 6: the CRDs are a kustomization of their own that defines every traefik.io kind an overlay uses', async () => {
    const crds = (await renderDir(join(kubernetesDir, 'crds'))).objects;
    assert.deepEqual([...new Set(crds.map((o) => o.kind))], ['CustomResourceDefinition']);
    const defined = new Set(crds.map((c) => `${spec<{ group: string }>(c).group}/${spec<{ names: { kind: string } }>(c).names.kind}`));
    const used = new Set<string>();
    for (const [name, objects] of renders) {
      assert.deepEqual(ofKind(objects, 'CustomResourceDefinition'), [], `${name} must not carry CRDs`);
      for (const o of objects.filter((x) => x.apiVersion.startsWith('traefik.io/'))) used.add(`traefik.io/${o.kind}`);
    }
    assert.deepEqual([...used].sort(), ['traefik.io/IngressRoute', 'traefik.io/Middleware', 'traefik.io/TraefikService']);
    for (const kind of used) assert.ok(defined.has(kind), `${kind} is not defined in deploy/kubernetes/crds`);
    assert.equal(defined.size, 10, "Traefik's CRD provider needs all ten kinds");
  });

  it('rows 8 and 9: Traefik keeps routes of services without ready pods, and no read deadline cuts SSE streams', () => {
    let traefiks = 0;
    for (const [name, objects] of renders) {
      const args = traefikArgs(objects);
      if (!args) continue;
      traefiks++;
      assert.ok(args.includes('--providers.kubernetesIngress.allowEmptyServices=true'), `${name}: an empty service would answer 404`);
      const entrypoints = args.flatMap((a) => /^--entryPoints\.(\w+)\.address=:(80|443)$/.exec(a)?.[1] ?? []);
      assert.ok(entrypoints.includes('web'), name);
      for (const ep of entrypoints) {
        assert.ok(args.includes(`--entryPoints.${ep}.transport.respondingTimeouts.readTimeout=0s`), `${name}: entrypoint ${ep} keeps the 60 s read deadline`);
      }
    }
    assert.equal(traefiks, 3, 'base, local and production bring Traefik');
    assert.ok(traefikArgs(renders.get('overlay production') ?? [])?.includes('--entryPoints.websecure.transport.respondingTimeouts.readTimeout=0s'));
  });

  it('row 8: poll is probed for readiness on /readyz (which no longer depends on Redis, see services/poll)', () => {
    for (const [name, objects] of renders) {
      const poll = workloads(objects).find((w) => w.labels.app === 'poll' || w.name.endsWith('-poll'));
      assert.equal(poll?.pod.containers[0]?.readinessProbe?.httpGet?.path, '/readyz', name);
    }
  });

  it("row 12: PostgreSQL's PersistentVolume is reserved for its claim, in every overlay and instance", () => {
    for (const [name, objects] of renders) {
      const claims = ofKind(objects, 'PersistentVolumeClaim').filter((c) => spec<{ volumeName?: string }>(c).volumeName);
      assert.equal(claims.length, 1, name);
      const claim = claims[0] as K8sObject;
      const pv = get(objects, 'PersistentVolume', spec<{ volumeName: string }>(claim).volumeName);
      const pvSpec = spec<{ claimRef?: { name: string; namespace: string }; persistentVolumeReclaimPolicy: string }>(pv);
      assert.deepEqual(pvSpec.claimRef, { name: claim.metadata.name, namespace: claim.metadata.namespace }, name);
      assert.equal(pvSpec.persistentVolumeReclaimPolicy, 'Retain', name);
    }
    const production = get(renders.get('overlay production') ?? [], 'PersistentVolume', 'postgres');
    assert.deepEqual(spec<{ claimRef: unknown }>(production).claimRef, { name: 'postgres', namespace: 'bernstein' });
  });

  it('row 13: PostgreSQL has time to recover before liveness counts, and a /dev/shm of its own within its memory limit', () => {
    for (const [name, objects] of renders) {
      const w = workloads(objects).find((x) => x.labels.app === 'postgres');
      assert.ok(w, name);
      const c = w.pod.containers[0] as Container;
      const startup = c.startupProbe;
      assert.ok(startup?.exec, `${name}: no startup probe`);
      assert.ok((startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3) >= 600, `${name}: less than 10 minutes to recover`);
      assert.equal(c.livenessProbe?.initialDelaySeconds, undefined, `${name}: the startup probe replaces the initial delay`);
      const mount = c.volumeMounts?.find((m) => m.mountPath === '/dev/shm');
      const volume = w.pod.volumes?.find((v) => v.name === mount?.name);
      assert.equal(volume?.emptyDir?.medium, 'Memory', name);
      const shm = quantity(volume.emptyDir.sizeLimit ?? '0');
      assert.ok(shm > 64 * 1024 ** 2 && shm < quantity(c.resources?.limits?.memory ?? '0'), `${name}: /dev/shm of ${String(volume.emptyDir.sizeLimit)}`);
      assert.equal(quantity(c.resources?.requests?.memory ?? '0'), 1024 ** 3, name);
      assert.equal(quantity(c.resources?.limits?.memory ?? '0'), 4 * 1024 ** 3, name);
    }
  });

  it("row 17: production's Ingresses use an IngressClass of our own name, the one its Traefik serves; the base keeps the course's", () => {
    const production = renders.get('overlay production') ?? [];
    assert.deepEqual(ofKind(production, 'IngressClass').map((c) => c.metadata.name), ['bernstein']);
    for (const i of ofKind(production, 'Ingress')) assert.equal(spec<{ ingressClassName: string }>(i).ingressClassName, 'bernstein', i.metadata.name);
    const classArgs = (objects: readonly K8sObject[]) => (traefikArgs(objects) ?? []).filter((a) => a.startsWith('--providers.kubernetesIngress.ingressClass='));
    assert.deepEqual(classArgs(production), ['--providers.kubernetesIngress.ingressClass=bernstein']);
    for (const name of ['base', 'overlay local']) {
      const objects = renders.get(name) ?? [];
      assert.deepEqual(ofKind(objects, 'IngressClass').map((c) => c.metadata.name), ['traefik'], name);
      assert.deepEqual(classArgs(objects), ['--providers.kubernetesIngress.ingressClass=traefik'], name);
    }
  });
});
