/**
 * Issue 9, section 3: our manifests on `bernstein check`'s cluster model (analyzeCluster of
 * @bernstein/check). Every overlay, every valid component combination of the base and three
 * instances side by side are rendered and placed on the course's cluster (the `default` model: a
 * tainted control plane and 2 workers of 2 CPU / 4 GiB) and on the 3-node clusters the scripts
 * of deploy/cluster create (`kind`: its control plane modelled tainted, so 2 nodes take pods;
 * `k3d`: an untainted server and 2 agents). On each: every replica is placed, every Deployment's
 * rolling update completes, draining any node completes and leaves no workload without a pod,
 * and the HPAs' maxima fit (the numbers asserted exactly). Production is also placed on the
 * cluster it is sized for (overlays/production/cluster.yaml) and the `production` preset.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeCluster, CLUSTER_PRESETS, loadUnits, resolveCluster, rollingParameters, run, type ClusterModel, type ClusterReport, type K8sObject } from '@bernstein/check';
import { componentCombinations, kubernetesDir, OVERLAYS, renderAll, SIDE_BY_SIDE_INSTANCES } from '../lib/index.js';

const COURSE_PRESETS = ['default', 'kind', 'k3d'] as const;
type CoursePreset = (typeof COURSE_PRESETS)[number];
const preset = (name: string): ClusterModel => {
  const c = CLUSTER_PRESETS[name];
  if (!c) throw new Error(`no cluster preset ${name}`);
  return c;
};

const renders = new Map<string, readonly K8sObject[]>();
let dir: string;

const reportsOn = (cluster: ClusterModel): [string, ClusterReport][] => [...renders].map(([name, objects]) => [name, analyzeCluster(objects, cluster)]);
const isControlPlane = (cluster: ClusterModel, node: string): boolean => cluster.nodes.some((n) => n.name === node && 'node-role.kubernetes.io/control-plane' in n.labels);
const hpaSummary = (r: ClusterReport): string[] => r.hpa.map((h) => `${h.workload.name} ${h.fit}/${h.maxReplicas}`);

/**
 * The HPA maxima of a render and how many replicas fit: none; the autoscaling component's 10
 * fit everywhere; production's 20 fit on 3 schedulable nodes, while on 2 workers of 2 CPU (result
 * at its minimum of 3 beside) the 20th poll pod stays Pending, which cluster-schedulable reports.
 */
function expectedHpa(name: string, preset: CoursePreset): string[] {
  if (name === 'overlay-production') return preset === 'k3d' ? ['poll 20/20', 'result 20/20'] : ['poll 19/20', 'result 20/20'];
  return name.includes('autoscaling') ? ['poll 10/10', 'result 10/10'] : [];
}

describe('our manifests on the cluster model', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bernstein-cluster-model-'));
    for (const name of (await renderAll(dir)).keys()) {
      const [unit] = await loadUnits([join(dir, `${name}.yaml`)]);
      if (!unit) throw new Error(`${name}: nothing loaded`);
      renders.set(name, unit.objects);
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('renders every overlay, every valid component combination and the side-by-side instances', () => {
    assert.deepEqual(
      [...renders.keys()].sort(),
      [...OVERLAYS.map((o) => `overlay-${o}`), ...componentCombinations().map((c) => c.name), ...SIDE_BY_SIDE_INSTANCES.map((n) => `instance-${n}`)].sort(),
    );
    assert.equal(renders.size, 3 + 48 + 3);
  });

  for (const name of COURSE_PRESETS) {
    describe(`on the ${name} cluster`, () => {
      const cluster = preset(name);

      it('places every replica of every workload', () => {
        const pending = reportsOn(cluster).flatMap(([render, r]) => r.pending.map((p) => `${render}: ${p.pod}`));
        assert.deepEqual(pending, []);
        // Not vacuous: the base places the course's replicas, and cAdvisor on every node.
        const base = analyzeCluster(renders.get('base') ?? [], cluster);
        assert.deepEqual(Object.fromEntries(base.workloads.map((o) => [`${o.workload.kind}/${o.workload.name}`, o.placed])), {
          'Deployment/poll': 2,
          'Deployment/postgres': 1,
          'Deployment/redis': 1,
          'Deployment/result': 2,
          'Deployment/worker': 1,
          'Deployment/traefik': 2,
          'CronJob/postgres-backup': 1,
          'DaemonSet/cadvisor': 3,
          'Job/migrate': 1,
        });
      });

      it("completes every Deployment's rolling update", () => {
        const problems: string[] = [];
        let rollouts = 0;
        for (const [render, r] of reportsOn(cluster)) {
          const rolling = r.workloads.filter((o) => rollingParameters(o.workload) !== undefined).map((o) => o.workload.name);
          assert.deepEqual(r.rollouts.map((x) => x.workload.name), rolling, `${render}: a rolling Deployment without a rollout result`);
          rollouts += r.rollouts.length;
          problems.push(...r.rollouts.filter((x) => !x.completes).map((x) => `${render}: ${x.workload.name}`));
        }
        assert.deepEqual(problems, []);
        assert.ok(rollouts >= 54 * 3, `only ${rollouts} rollouts`);
        // In place where one pod per node is required, surging where it is spread.
        const base = analyzeCluster(renders.get('base') ?? [], cluster);
        assert.deepEqual(base.rollouts.map((x) => `${x.workload.name} surge ${x.maxSurge} unavailable ${x.maxUnavailable}`), [
          'poll surge 0 unavailable 1',
          'result surge 0 unavailable 1',
          'worker surge 1 unavailable 0',
          'traefik surge 0 unavailable 1',
        ]);
      });

      it('drains any node that runs pods, and leaves no workload without a running pod', () => {
        const problems: string[] = [];
        for (const [render, r] of reportsOn(cluster)) {
          const drained = r.drains.map((d) => d.node);
          const workers = cluster.nodes.filter((n) => !isControlPlane(cluster, n.name)).map((n) => n.name);
          for (const w of workers) if (!drained.includes(w)) problems.push(`${render}: ${w} was not drained`);
          for (const d of r.drains) {
            if (!d.completes) problems.push(`${render}: draining ${d.node} blocks on ${d.blocked.map((b) => b.pod).join(', ')}`);
            if (d.outages.length > 0) problems.push(`${render}: draining ${d.node} stops ${d.outages.map((o) => o.workload.name).join(', ')}`);
          }
        }
        assert.deepEqual(problems, []);
      });

      it('fits the HPAs at their maxima, but for production on 2 workers', () => {
        const actual = reportsOn(cluster).map(([render, r]) => `${render}: ${hpaSummary(r).join(', ')}`);
        assert.deepEqual(actual, [...renders.keys()].map((render) => `${render}: ${expectedHpa(render, name).join(', ')}`));
      });
    });
  }

  it('on 2 schedulable nodes, a drain leaves the one-per-node pods Pending until uncordon (the other replica serves)', () => {
    const notReplaced = (preset: CoursePreset, render: string) =>
      analyzeCluster(renders.get(render) ?? [], CLUSTER_PRESETS[preset] as ClusterModel).drains.map((d) => `${d.node}: ${d.notReplaced.map((p) => p.workload.name).sort().join(' ')}`);
    assert.deepEqual(notReplaced('default', 'base'), ['worker-1: poll result traefik', 'worker-2: poll result traefik']);
    assert.deepEqual(notReplaced('kind', 'overlay-instance-2'), ['bernstein-worker: b2-poll b2-result', 'bernstein-worker2: b2-poll b2-result']);
    // A third schedulable node (k3d's server) takes every evicted pod.
    assert.deepEqual(notReplaced('k3d', 'base'), ['k3d-bernstein-server-0: ', 'k3d-bernstein-agent-0: ', 'k3d-bernstein-agent-1: ']);
  });

  it("reports the production HPA maximum that does not fit on the course's 2 workers, as a warning", async () => {
    for (const [cluster, label] of [
      ['kind', 'cluster kind (deploy/cluster/kind.yaml: tainted control plane + 2 workers, no zone labels)'],
      ['default', 'cluster default (1 tainted control plane + 2 workers, 2 CPU / 4 GiB each)'],
    ] as const) {
      let out = '';
      const write = (s: string) => void (out += s);
      const declaration = join(kubernetesDir, 'overlays', 'production', 'bernstein-check.yaml');
      const code = await run(['--profile', 'production', '--cluster', cluster, '--config', declaration, '--format', 'json', join(dir, 'overlay-production.yaml')], {
        stdout: write,
        stderr: write,
        isTTY: false,
        cwd: process.cwd(),
      });
      assert.equal(code, 0, 'a warning does not fail the check');
      const findings = (JSON.parse(out) as { findings: { rule: string; severity: string; message: string }[] }).findings.filter((f) => f.rule.startsWith('cluster-'));
      assert.deepEqual(
        findings.map((f) => `${f.severity} ${f.rule}`),
        ['warning cluster-schedulable'],
      );
      const message = findings[0]?.message ?? '';
      assert.ok(message.startsWith(`maxReplicas 20, but only 19 pods of Deployment bernstein/poll fit on ${label}: the next one stays Pending (`), message);
    }
  });

  it('places, rolls out and drains production on the cluster it is sized for and on the production preset', () => {
    const production = renders.get('overlay-production') ?? [];
    for (const cluster of [resolveCluster(join(kubernetesDir, 'overlays', 'production', 'cluster.yaml')), preset('production')]) {
      const r = analyzeCluster(production, cluster);
      assert.deepEqual(r.pending, [], cluster.name);
      assert.deepEqual(r.rollouts.filter((x) => !x.completes), [], cluster.name);
      assert.equal(r.drains.length, 6, `${cluster.name}: every worker runs pods`);
      assert.deepEqual(r.drains.filter((d) => !d.completes || d.notReplaced.length > 0), [], cluster.name);
      assert.deepEqual(hpaSummary(r), ['poll 20/20', 'result 20/20'], cluster.name);
      assert.deepEqual(r.daemonSets.map((d) => `${d.workload.name} ${d.nodes.length}`), ['cadvisor 9'], cluster.name);
    }
  });
});
