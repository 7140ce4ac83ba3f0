/**
 * Issue 9, section 3: each defect of the review table that a configuration can show, put back
 * into a copy of deploy/kubernetes, makes `bernstein check` report it, with the rule and a
 * message that names it, at the file and line of the object at fault. Every case compares the
 * mutated copy with an unmutated copy checked the same way, and asserts exactly the findings
 * the mutation adds (so a mutation that also broke something else would fail too). Errors make
 * the check exit 1 where it exited 0; the rows whose rule is a warning (5, 8, 12, 14, 17, 19)
 * are asserted as warnings with the exit code unchanged (0), as the checker really reports them.
 *
 * Row → mutation → rule:
 *   1  poll, result, Traefik back to maxSurge 1 / maxUnavailable 0 (required anti-affinity kept),
 *      on the default and the kind cluster                                → cluster-rollout (error)
 *   2  production's topology spreads without nodeTaintsPolicy: Honor    → cluster-schedulable (error)
 *   3  the canary component's Traefik ClusterRole without configmaps     → traefik-rbac (error)
 *   5  production's images without our registry (images: entries gone)  → image-registry (warning)
 *   6  the CRDs back in the production overlay's resources               → crd-same-apply (error)
 *   8  Traefik without allowEmptyServices                                → traefik-empty-backends (warning)
 *   9  readTimeout=0s removed from the entrypoint carrying result's SSE  → traefik-stream-timeout (error)
 *   12 PostgreSQL's PersistentVolume (Retain) without claimRef           → pv-reclaim-rebind (warning)
 *   14 cAdvisor tolerating only the control-plane taint, on a cluster
 *      file with a worker tainted as docs/operations.md suggests        → cluster-daemonset-coverage (warning)
 *   17 production's IngressClass named traefik again                     → traefik-ingress-class-name (warning)
 *   19 production without the zone spreads                               → zone-spread (warning)
 *
 * Rows the checker does not model (scripts, docs, values), and where they are tested instead:
 *   4  rollback.sh undoes only the app: cluster-ops.test.ts, "rollback.sh" (selects exactly
 *      poll, worker and result; never databases, Traefik or the canary).
 *   7  the restore Job for any namespace and prefix: cluster-ops.test.ts, "restore.sh" (a Job
 *      wired to each overlay's own objects), and restore.test.ts (a real restore).
 *   10 backups copied off the cluster, .partial leftovers cleaned: cluster-ops.test.ts,
 *      "backup-copy.sh", and restore.test.ts ("removes .partial files a dead run left").
 *   11 cAdvisor finds k3s' containerd socket: platform.test.ts, "cAdvisor of the local overlay
 *      finds containerd on k3s and on kind".
 *   13 PostgreSQL's startup probe and /dev/shm: review-9.test.ts, "row 13".
 *   15 KEDA reaches Redis under the network policies: combinations.test.ts, "keda-worker with
 *      network policies lets KEDA (namespace keda) reach Redis on 6379".
 *   16 Prometheus' retention size cap on its claim: platform.test.ts, "keeps Prometheus' data on
 *      a claim, with a size cap that leaves room for the WAL".
 *   18 stale comments: platform.test.ts, "comments and guides say what the manifests do".
 * (review-9-check.test.ts shows rows 1, 2, 5, 6 and 8 on renders as well.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '@bernstein/check';
import { appendTo, copyDeployment, editYaml, removeItems, removeKey, removeString, setIn } from './mutate.js';

interface Finding {
  rule: string;
  severity: string;
  message: string;
  file: string;
  line: number;
}
interface Outcome {
  readonly code: number;
  /** `severity rule file:line message`, the file relative to the copy of deploy/kubernetes. */
  readonly findings: readonly string[];
}

type Unit = 'base' | 'overlays/production';

/** What a copy of deploy/kubernetes is checked with: the unit, and the cluster (`--cluster`). */
interface Run {
  readonly unit: Unit;
  readonly cluster: string;
}

/** A worker tainted for dedicated work (docs/operations.md, "Node placement"), beside the course's nodes. */
const TAINTED_WORKER_CLUSTER = `name: course + a tainted data node
defaultStorageClass: standard
nodes:
  - { name: control-plane, labels: { node-role.kubernetes.io/control-plane: "" }, taints: ["node-role.kubernetes.io/control-plane:NoSchedule"], allocatable: { cpu: "2", memory: 4Gi } }
  - { name: worker-1, allocatable: { cpu: "2", memory: 4Gi } }
  - { name: worker-2, allocatable: { cpu: "2", memory: 4Gi } }
  - { name: data-1, labels: { bernstein.dev/role: data }, taints: ["bernstein.dev/role=data:NoSchedule"], allocatable: { cpu: "2", memory: 4Gi } }
`;

let work: string;
let taintedCluster: string;
let copies = 0;
const baselines = new Map<string, Promise<Outcome>>();

async function check(root: string, r: Run): Promise<Outcome> {
  let out = '';
  const write = (s: string) => void (out += s);
  // --profile production: every rule (the cluster, Traefik and resolution rules run with any profile).
  const code = await run(['--profile', 'production', '--cluster', r.cluster, '--format', 'json', join(root, r.unit)], { stdout: write, stderr: write, isTTY: false, cwd: process.cwd() });
  if (code === 2) throw new Error(out);
  const findings = (JSON.parse(out) as { findings: Finding[] }).findings;
  return { code, findings: findings.map((f) => `${f.severity} ${f.rule} ${relative(root, f.file)}:${f.line} ${f.message}`).sort() };
}

/** The unmutated deployment checked the same way (once per unit and cluster). */
function baseline(r: Run): Promise<Outcome> {
  const key = `${r.unit} ${r.cluster}`;
  let b = baselines.get(key);
  if (!b) {
    b = copyDeployment(join(work, `baseline-${baselines.size}`)).then((root) => check(root, r));
    baselines.set(key, b);
  }
  return b;
}

/** Checks a mutated copy; returns the baseline, the outcome and the findings the mutation added. */
async function reintroduce(r: Run, mutate: (root: string) => Promise<void>): Promise<{ before: Outcome; after: Outcome; added: string[] }> {
  const root = await copyDeployment(join(work, `copy-${++copies}`));
  await mutate(root);
  const [before, after] = await Promise.all([baseline(r), check(root, r)]);
  const remaining = [...before.findings];
  const added: string[] = [];
  for (const f of after.findings) {
    const i = remaining.indexOf(f);
    if (i >= 0) remaining.splice(i, 1);
    else added.push(f);
  }
  return { before, after, added };
}

/** An error row: the clean copy exits 0, the mutated one 1, with exactly these findings added. */
async function assertError(r: Run, mutate: (root: string) => Promise<void>, expected: readonly string[]): Promise<void> {
  const { before, after, added } = await reintroduce(r, mutate);
  assert.equal(before.code, 0, before.findings.filter((f) => f.startsWith('error')).join('\n'));
  assert.equal(after.code, 1);
  assert.deepEqual(added, [...expected].sort());
}

/** A warning row: the same exit code (0) before and after, with exactly these warnings added. */
async function assertWarning(r: Run, mutate: (root: string) => Promise<void>, expected: readonly string[]): Promise<void> {
  const { before, after, added } = await reintroduce(r, mutate);
  assert.equal(before.code, 0);
  assert.equal(after.code, 0, 'a warning does not fail the check');
  assert.deepEqual(added, [...expected].sort());
  for (const f of added) assert.ok(f.startsWith('warning '), f);
}

const KIND = "cluster kind (deploy/cluster/kind.yaml: tainted control plane + 2 workers, no zone labels)";
const DEFAULT = 'cluster default (1 tainted control plane + 2 workers, 2 CPU / 4 GiB each)';

const BASE_ON_KIND: Run = { unit: 'base', cluster: 'kind' };
const PRODUCTION_ON_KIND: Run = { unit: 'overlays/production', cluster: 'kind' };

const surgeBeside = async (root: string): Promise<void> => {
  for (const app of ['poll', 'result', 'traefik']) {
    await editYaml(join(root, 'base', `${app}.deployment.yaml`), setIn(['spec', 'strategy', 'rollingUpdate'], { maxSurge: 1, maxUnavailable: 0 }));
  }
};
const rolloutNeverCompletes = (cluster: string, [cp, w1, w2]: readonly [string, string, string]) =>
  (
    [
      ['poll', 'base/poll.deployment.yaml:5', 'poll', ['poll-1', 'poll-2']],
      ['result', 'base/result.deployment.yaml:5', 'result', ['result-2', 'result-1']],
      ['traefik', 'base/traefik.deployment.yaml:3', 'kube-public/traefik', ['traefik-2', 'traefik-1']],
    ] as const
  ).map(
    ([, at, name, [p1, p2]]) =>
      `error cluster-rollout ${at} a rolling update of Deployment ${name} never completes on ${cluster}: with maxSurge 1 and maxUnavailable 0, the new pod stays Pending (${cp} has the taint node-role.kubernetes.io/control-plane:NoSchedule, which the pod does not tolerate; ${w1} already runs ${p1}, excluded by the pod's anti-affinity on kubernetes.io/hostname; ${w2} already runs ${p2}, excluded by the pod's anti-affinity on kubernetes.io/hostname), and maxUnavailable 0 lets no old pod stop first`,
  );

/** Traefik's args, poll's production images, … are edited where they are written. */
const productionKustomization = (root: string) => join(root, 'overlays', 'production', 'kustomization.yaml');
const spreads = (root: string) => [join(root, 'overlays', 'production', 'replicas.yaml'), join(root, 'components', 'autoscaling', 'kustomization.yaml')];

describe('review of issue 9: each defect put back into a copy of deploy/kubernetes is reported by bernstein check', () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'bernstein-reintroduced-'));
    taintedCluster = join(work, 'tainted-worker.cluster.yaml');
    await writeFile(taintedCluster, TAINTED_WORKER_CLUSTER);
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('row 1: poll, result and Traefik surging beside one pod per node never finish a rollout on the kind cluster', async () => {
    await assertError(BASE_ON_KIND, surgeBeside, rolloutNeverCompletes(KIND, ['bernstein-control-plane', 'bernstein-worker', 'bernstein-worker2']));
  });

  it('row 1: … nor on the default cluster', async () => {
    await assertError({ unit: 'base', cluster: 'default' }, surgeBeside, rolloutNeverCompletes(DEFAULT, ['control-plane', 'worker-1', 'worker-2']));
  });

  it('row 2: production spreads counting the tainted control plane leave a third replica of each service Pending', async () => {
    const reason =
      'bernstein-control-plane has the taint node-role.kubernetes.io/control-plane:NoSchedule, which the pod does not tolerate; bernstein-worker would exceed the topology spread on kubernetes.io/hostname (maxSkew 1): 1 matching pod here against 0 on bernstein-control-plane; bernstein-worker2 would exceed the topology spread on kubernetes.io/hostname (maxSkew 1): 1 matching pod here against 0 on bernstein-control-plane';
    // [Deployment, where it is, its PodDisruptionBudget's line, its pods on bernstein-worker and bernstein-worker2]
    const services = [
      ['bernstein/poll', 'base/poll.deployment.yaml:5', 'poll', 'base/pdb.yaml:4', ['poll-1', 'poll-2']],
      ['bernstein/result', 'base/result.deployment.yaml:5', 'result', 'base/pdb.yaml:19', ['result-1', 'result-2']],
      ['bernstein/worker', 'base/worker.deployment.yaml:4', 'worker', 'base/pdb.yaml:34', ['worker-1', 'worker-2']],
      ['kube-public/traefik', 'base/traefik.deployment.yaml:3', 'traefik', 'base/pdb.yaml:49', ['traefik-1', 'traefik-2']],
    ] as const;
    await assertError(
      PRODUCTION_ON_KIND,
      async (root) => {
        for (const f of spreads(root)) await editYaml(f, removeKey('nodeTaintsPolicy'), { inlinePatches: true });
      },
      [
        ...services.flatMap(([name, at, pdb, pdbAt, pods]) => [
          `error cluster-schedulable ${at} 1 of 3 pods of Deployment ${name} stay Pending on ${KIND}: ${reason}`,
          // The two pods that found a node cannot be drained either: the budget counts the third, Pending.
          ...(['bernstein-worker', 'bernstein-worker2'] as const).map(
            (node, i) =>
              `error cluster-drain ${pdbAt} draining ${node} never completes on ${KIND}: pod ${pods[i] ?? ''} of Deployment ${name} cannot be evicted: PodDisruptionBudget ${pdb} (maxUnavailable 1) allows no disruption: 2 healthy, 2 required`,
          ),
        ]),
        `warning cluster-schedulable components/autoscaling/hpa.yaml:3 maxReplicas 20, but only 2 pods of Deployment bernstein/poll fit on ${KIND}: the next one stays Pending (${reason})`,
        `warning cluster-schedulable components/autoscaling/hpa.yaml:34 maxReplicas 20, but only 2 pods of Deployment bernstein/result fit on ${KIND}: the next one stays Pending (${reason})`,
      ],
    );
  });

  it("row 3: the canary's Traefik without ConfigMaps never syncs its CRD provider", async () => {
    await assertError(
      PRODUCTION_ON_KIND,
      (root) => editYaml(join(root, 'components', 'canary', 'rbac.yaml'), removeItems((rule) => Array.isArray(rule.resources) && rule.resources.includes('configmaps'))),
      [
        'error traefik-rbac base/traefik.deployment.yaml:3 Traefik v3.6.15 (kube-public/traefik): ServiceAccount "traefik" (namespace "kube-public") may not list/watch configmaps (core API group): the kubernetescrd provider waits for that cache forever and never syncs, so none of its routes is served (clients get 404)',
      ],
    );
  });

  it("row 5: production's images without our registry come from Docker Hub's bernstein namespace", async () => {
    const noRegistry = (at: string, image: string) => [
      `warning image-registry ${at} image "bernstein/${image}:0.1.0" names no registry, so it is pulled from Docker Hub as docker.io/bernstein/${image}:0.1.0, from whoever owns the namespace "bernstein" there`,
      `warning image-registry ${at} image "bernstein/${image}:0.1.0" is not pinned by digest: the registry can serve other content under the same tag`,
    ];
    await assertWarning(
      PRODUCTION_ON_KIND,
      (root) => editYaml(productionKustomization(root), removeItems((entry) => typeof entry.name === 'string' && entry.name.startsWith('bernstein/') && 'newName' in entry)),
      [
        ...noRegistry('base/migrate.job.yaml:5', 'worker'),
        ...noRegistry('base/poll.deployment.yaml:5', 'poll'),
        // No init container migrates any more: only the migrate Job holds the owner's credentials.
        ...noRegistry('base/result.deployment.yaml:5', 'result'),
        ...noRegistry('base/worker.deployment.yaml:4', 'worker'),
        ...noRegistry('components/canary/poll-canary.yaml:4', 'poll'),
      ],
    );
  });

  it('row 6: the CRDs applied with the production overlay fail its first apply', async () => {
    await assertError(PRODUCTION_ON_KIND, (root) => editYaml(productionKustomization(root), appendTo(['resources'], '../../crds')), [
      'error crd-same-apply components/canary/weighted.yaml:29 IngressRoute "poll-weighted" is applied together with CustomResourceDefinition "ingressroutes.traefik.io" that defines it: the first kubectl apply fails with no matches for kind "IngressRoute" in version "traefik.io/v1alpha1"; apply the CRDs first',
      'error crd-same-apply components/canary/weighted.yaml:4 TraefikService "poll-weighted" is applied together with CustomResourceDefinition "traefikservices.traefik.io" that defines it: the first kubectl apply fails with no matches for kind "TraefikService" in version "traefik.io/v1alpha1"; apply the CRDs first',
      'error crd-same-apply overlays/production/middlewares.yaml:11 Middleware "poll-rate" is applied together with CustomResourceDefinition "middlewares.traefik.io" that defines it: the first kubectl apply fails with no matches for kind "Middleware" in version "traefik.io/v1alpha1"; apply the CRDs first',
      'error crd-same-apply overlays/production/middlewares.yaml:25 Middleware "poll-inflight" is applied together with CustomResourceDefinition "middlewares.traefik.io" that defines it: the first kubectl apply fails with no matches for kind "Middleware" in version "traefik.io/v1alpha1"; apply the CRDs first',
      'error crd-same-apply overlays/production/middlewares.yaml:42 Middleware "result-rate" is applied together with CustomResourceDefinition "middlewares.traefik.io" that defines it: the first kubectl apply fails with no matches for kind "Middleware" in version "traefik.io/v1alpha1"; apply the CRDs first',
      'error crd-same-apply overlays/production/middlewares.yaml:56 Middleware "result-inflight" is applied together with CustomResourceDefinition "middlewares.traefik.io" that defines it: the first kubectl apply fails with no matches for kind "Middleware" in version "traefik.io/v1alpha1"; apply the CRDs first',
    ]);
  });

  it('row 8: Traefik without allowEmptyServices answers 404 when every poll or result pod is unready', async () => {
    await assertWarning(BASE_ON_KIND, (root) => editYaml(join(root, 'base', 'traefik.deployment.yaml'), removeString('--providers.kubernetesIngress.allowEmptyServices=true')), [
      'warning traefik-empty-backends base/traefik.deployment.yaml:3 Traefik v3.6.15 (kube-public/traefik) runs the kubernetesingress provider without --providers.kubernetesingress.allowEmptyServices=true in front of Service(s) "default/poll" (Ingress "poll"), "default/result" (Ingress "result") whose pods have a readiness probe: when every pod is unready Traefik drops the route and clients get 404 instead of a 503 to retry',
    ]);
  });

  it("row 9: Traefik v3's default read timeout on the web entrypoint cuts result's SSE streams", async () => {
    await assertError(BASE_ON_KIND, (root) => editYaml(join(root, 'base', 'traefik.deployment.yaml'), removeString('--entryPoints.web.transport.respondingTimeouts.readTimeout=0s')), [
      'error traefik-stream-timeout base/traefik.deployment.yaml:3 entrypoint "web" of Traefik v3.6.15 (kube-public/traefik) routes the long-lived stream(s) "default/result" (Ingress "result") with readTimeout 60s (the Traefik v3.6.15 default): each connection is cut after that, so every Server-Sent Events stream ends and clients reconnect; set --entryPoints.web.transport.respondingTimeouts.readTimeout=0',
    ]);
  });

  it("row 12: PostgreSQL's Retain volume without claimRef can be taken by another claim, and cannot re-bind", async () => {
    await assertWarning(BASE_ON_KIND, (root) => editYaml(join(root, 'base', 'postgres.volume.yaml'), removeKey('claimRef')), [
      'warning pv-reclaim-rebind base/postgres.volume.yaml:6 PersistentVolume "postgres" is Retain without a claimRef: any claim without a class that fits can take it before claim "default/postgres", and once that claim is deleted the volume stays Released and a recreated claim stays Pending',
    ]);
  });

  it('row 14: cAdvisor tolerating only the control plane gets no pod on a worker tainted for dedicated work', async () => {
    const onlyControlPlane = [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }];
    await assertWarning({ unit: 'base', cluster: taintedCluster }, (root) => editYaml(join(root, 'base', 'cadvisor.daemonset.yaml'), setIn(['spec', 'template', 'spec', 'tolerations'], onlyControlPlane)), [
      'warning cluster-daemonset-coverage base/cadvisor.daemonset.yaml:5 cadvisor gets no pod on data-1 (bernstein.dev/role=data:NoSchedule) on cluster course + a tainted data node: it does not tolerate those taints',
    ]);
  });

  it("row 17: production's IngressClass named traefik again collides with k3s' bundled Traefik", async () => {
    const classPatch = (p: Readonly<Record<string, unknown>>): boolean => {
      const target = p.target;
      const kind = typeof target === 'object' && target !== null && 'kind' in target ? target.kind : undefined;
      return kind === 'IngressClass' || kind === 'Ingress' || (typeof p.patch === 'string' && p.patch.includes('ingressClass=bernstein'));
    };
    await assertWarning(PRODUCTION_ON_KIND, (root) => editYaml(productionKustomization(root), removeItems(classPatch)), [
      'warning traefik-ingress-class-name base/traefik.ingressclass.yaml:2 IngressClass "traefik" (for your Traefik) has the name of the class k3s\'s bundled Traefik creates: on a stock k3s cluster both Traefiks claim the Ingresses of this class; start k3s with --disable=traefik or use another class name',
    ]);
  });

  it('row 19: production without zone spreads: one zone outage can take every replica', async () => {
    const zoneOutage = (at: string, name: string) =>
      `warning zone-spread ${at} ${name} runs 3 replicas with no spread over topology.kubernetes.io/zone: one zone outage can take all of them; add a topology spread constraint on topology.kubernetes.io/zone (ScheduleAnyway, or DoNotSchedule without minDomains)`;
    await assertWarning(
      PRODUCTION_ON_KIND,
      async (root) => {
        for (const f of spreads(root)) await editYaml(f, removeItems((c) => c.topologyKey === 'topology.kubernetes.io/zone'), { inlinePatches: true });
      },
      [
        // poll and result: 3 replicas, the minimum of their HorizontalPodAutoscalers.
        zoneOutage('base/poll.deployment.yaml:5', 'poll'),
        zoneOutage('base/result.deployment.yaml:5', 'result'),
        zoneOutage('base/traefik.deployment.yaml:3', 'traefik'),
        zoneOutage('base/worker.deployment.yaml:4', 'worker'),
      ],
    );
  });
});
