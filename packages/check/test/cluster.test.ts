// The cluster simulation: placements, Pending pods with reasons, rollouts, drains, HPA maxima
// and DaemonSet coverage, with exact outcomes on the default cluster (tainted control plane and
// two workers of 2 CPU / 4 GiB) and the presets. Each known defect has a failing case and its fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCluster, rollingParameters, type ClusterReport } from '../src/cluster/analyze.js';
import { clusterNode, DEFAULT_CLUSTER, K3D_CLUSTER, KIND_CLUSTER, type ClusterModel } from '../src/cluster/model.js';
import { minimumCluster } from '../src/cluster/minimum.js';
import { effectiveRequests, workloadOf } from '../src/cluster/pod.js';
import { ANTI_AFFINITY, deployment, objects, SURGE_ONLY, UNAVAILABLE_FIRST } from './cluster-helpers.js';

const CP_TAINT = 'control-plane has the taint node-role.kubernetes.io/control-plane:NoSchedule, which the pod does not tolerate';

function where(r: ClusterReport): string[] {
  return r.placements.map((p) => `${p.pod}@${p.node}`);
}

function pending(r: ClusterReport): string[] {
  return r.pending.map((p) => `${p.pod}: ${p.reasons.map((x) => `${x.node} ${x.reason}`).join('; ')}`);
}

const HOST_SPREAD = (extra = '') => `      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: DoNotSchedule
          labelSelector:
            matchLabels:
              app: poll
${extra}`;

describe('placement', () => {
  it('places replicas on the workers only, spread, DaemonSet pods first on every tolerated node', () => {
    const r = analyzeCluster(
      objects(
        `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: a, image: a:1, resources: {requests: {cpu: 100m}}}]
---
` + deployment('web', { replicas: 3 }),
      ),
      DEFAULT_CLUSTER,
    );
    assert.deepEqual(where(r), ['agent-worker-1@worker-1', 'web-1@worker-1', 'web-3@worker-1', 'agent-worker-2@worker-2', 'web-2@worker-2']);
    assert.deepEqual(r.daemonSets.map((d) => [d.nodes, d.excludedByTaint.map((x) => x.node)]), [[['worker-1', 'worker-2'], ['control-plane']]]);
    assert.deepEqual(r.pending, []);
  });

  it('reports the first failing predicate on each node: requests, with init containers by their peak', () => {
    const spec = `      initContainers:
        - name: warm
          image: example/warm:1
          resources: {requests: {cpu: 1500m}}`;
    const r = analyzeCluster(objects(deployment('big', { replicas: 3, cpu: '500m', spec })), DEFAULT_CLUSTER);
    assert.deepEqual(pending(r), [
      `big-3: ${CP_TAINT}; worker-1 has 500m CPU free of 2 CPU, the pod requests 1500m CPU; worker-2 has 500m CPU free of 2 CPU, the pod requests 1500m CPU`,
    ]);
  });

  it('computes effective requests: limits default requests, sidecars add, init containers peak', () => {
    const spec = {
      initContainers: [
        { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '10Mi' } } },
        { name: 'init', resources: { limits: { cpu: '1', memory: '1Gi' } } },
      ],
      containers: [{ name: 'a', resources: { requests: { cpu: '200m', memory: '100Mi' } } }, { name: 'b', resources: { limits: { cpu: '0.3' } } }],
    };
    assert.deepEqual(effectiveRequests(spec), { cpu: 1100, memory: 1024 ** 3 + 10 * 1024 ** 2 });
  });

  it('honours tolerations (Equal with value, Exists without key) and nodeSelector', () => {
    const cluster: ClusterModel = {
      name: 'tainted',
      nodes: [
        { ...clusterNode('db-1'), taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
        { ...clusterNode('gpu-1', { labels: { gpu: 'true' } }), taints: [{ key: 'gpu', effect: 'NoExecute' }] },
      ],
    };
    const r = analyzeCluster(
      objects(
        deployment('db', { replicas: 1, spec: '      tolerations: [{key: dedicated, operator: Equal, value: db, effect: NoSchedule}]' }) +
          deployment('wrong', { replicas: 1, spec: '      tolerations: [{key: dedicated, operator: Equal, value: web}]' }) +
          deployment('gpu', { replicas: 1, spec: '      nodeSelector: {gpu: "true"}\n      tolerations: [{operator: Exists}]' }),
      ),
      cluster,
    );
    assert.deepEqual(where(r), ['db-1@db-1', 'gpu-1@gpu-1']);
    assert.deepEqual(pending(r), [
      'wrong-1: db-1 has the taint dedicated=db:NoSchedule, which the pod does not tolerate; gpu-1 has the taint gpu:NoExecute, which the pod does not tolerate',
    ]);
  });

  it('places a pod with required pod affinity next to its target, and keeps others away by symmetric anti-affinity', () => {
    const r = analyzeCluster(
      objects(
        deployment('cache', { replicas: 1, spec: ANTI_AFFINITY('noisy') }) +
          deployment('app', {
            replicas: 1,
            spec: `      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector: {matchLabels: {app: cache}}`,
          }) +
          deployment('noisy', { replicas: 2 }),
      ),
      DEFAULT_CLUSTER,
    );
    assert.deepEqual(where(r), ['cache-1@worker-1', 'app-1@worker-1', 'noisy-1@worker-2', 'noisy-2@worker-2']);
    assert.deepEqual(pending(r), []);
  });
});

describe('known defect 1: required anti-affinity, as many replicas as workers, maxUnavailable 0', () => {
  const failing = objects(deployment('poll', { strategy: SURGE_ONLY, spec: ANTI_AFFINITY('poll') }));
  const fixed = objects(deployment('poll', { strategy: UNAVAILABLE_FIRST, spec: ANTI_AFFINITY('poll') }));

  it('places both replicas but the rollout never completes: the surge pod stays Pending', () => {
    const r = analyzeCluster(failing, DEFAULT_CLUSTER);
    assert.deepEqual(where(r), ['poll-1@worker-1', 'poll-2@worker-2']);
    const [rollout] = r.rollouts;
    assert.equal(rollout?.completes, false);
    assert.deepEqual([rollout?.maxSurge, rollout?.maxUnavailable, rollout?.stuck?.newRunning, rollout?.stuck?.oldRunning], [1, 0, 0, 2]);
    assert.deepEqual(
      rollout?.stuck?.pending.reasons.map((x) => `${x.node} ${x.reason}`),
      [CP_TAINT, "worker-1 already runs poll-1, excluded by the pod's anti-affinity on kubernetes.io/hostname", "worker-2 already runs poll-2, excluded by the pod's anti-affinity on kubernetes.io/hostname"],
    );
  });

  it('completes with maxSurge 0 and maxUnavailable 1', () => {
    assert.deepEqual(analyzeCluster(fixed, DEFAULT_CLUSTER).rollouts.map((x) => [x.workload.name, x.completes]), [['poll', true]]);
  });

  it('completes with maxUnavailable 0 on k3d, whose server takes workloads (3 schedulable nodes)', () => {
    assert.equal(analyzeCluster(failing, K3D_CLUSTER).rollouts[0]?.completes, true);
  });
});

describe('known defect 2: hostname spread with nodeTaintsPolicy defaulting to Ignore', () => {
  it('counts the tainted control plane as an empty domain: the 3rd replica stays Pending', () => {
    const r = analyzeCluster(objects(deployment('poll', { replicas: 3, spec: HOST_SPREAD() })), DEFAULT_CLUSTER);
    assert.deepEqual(where(r), ['poll-1@worker-1', 'poll-2@worker-2']);
    assert.deepEqual(pending(r), [
      `poll-3: ${CP_TAINT}; worker-1 would exceed the topology spread on kubernetes.io/hostname (maxSkew 1): 1 matching pod here against 0 on control-plane; worker-2 would exceed the topology spread on kubernetes.io/hostname (maxSkew 1): 1 matching pod here against 0 on control-plane`,
    ]);
  });

  it('blocks the surge pod of 2 replicas the same way', () => {
    const r = analyzeCluster(objects(deployment('poll', { strategy: SURGE_ONLY, spec: HOST_SPREAD() })), DEFAULT_CLUSTER);
    assert.deepEqual([r.pending.length, r.rollouts[0]?.completes], [0, false]);
  });

  it('places all 3 and rolls out with nodeTaintsPolicy Honor and matchLabelKeys [pod-template-hash]', () => {
    const spec = HOST_SPREAD('          nodeTaintsPolicy: Honor\n          matchLabelKeys: [pod-template-hash]');
    const r = analyzeCluster(objects(deployment('poll', { replicas: 3, strategy: SURGE_ONLY, spec })), DEFAULT_CLUSTER);
    assert.deepEqual(where(r), ['poll-1@worker-1', 'poll-3@worker-1', 'poll-2@worker-2']);
    assert.deepEqual(r.rollouts.map((x) => x.completes), [true]);
  });
});

describe('zones (known defect 19)', () => {
  const zoneSpread = (extra: string) => `      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          labelSelector: {matchLabels: {app: web}}
${extra}`;

  it('DoNotSchedule with minDomains unset counts only the existing zone: a single-zone cluster places every replica', () => {
    const r = analyzeCluster(objects(deployment('web', { replicas: 4, spec: zoneSpread('          whenUnsatisfiable: DoNotSchedule') })), DEFAULT_CLUSTER);
    assert.deepEqual([r.placements.length, r.pending.length], [4, 0]);
  });

  it('minDomains above the zones there are takes the global minimum as 0: one pod per zone', () => {
    const r = analyzeCluster(objects(deployment('web', { replicas: 3, spec: zoneSpread('          whenUnsatisfiable: DoNotSchedule\n          minDomains: 3') })), DEFAULT_CLUSTER);
    assert.deepEqual([r.placements.length, r.pending.length], [1, 2]);
  });

  it('nodes without a zone label (kind) take no pod of a DoNotSchedule zone constraint, but ScheduleAnyway places them', () => {
    const hard = analyzeCluster(objects(deployment('web', { replicas: 2, spec: zoneSpread('          whenUnsatisfiable: DoNotSchedule') })), KIND_CLUSTER);
    assert.equal(hard.pending.length, 2);
    assert.equal(
      hard.pending[0]?.reasons[1]?.reason,
      "has no label topology.kubernetes.io/zone, which the pod's topology spread constraint (DoNotSchedule) requires",
    );
    const soft = analyzeCluster(objects(deployment('web', { replicas: 2, spec: zoneSpread('          whenUnsatisfiable: ScheduleAnyway') })), KIND_CLUSTER);
    assert.deepEqual(where(soft), ['web-1@bernstein-worker', 'web-2@bernstein-worker2']);
  });
});

describe('rolling parameters', () => {
  const params = (replicas: number, strategy: string) => {
    const w = workloadOf(objects(deployment('x', { replicas, strategy }))[0]!);
    return w ? rollingParameters(w) : undefined;
  };
  it('defaults to 25%/25%, surge rounding up and unavailable down', () => {
    assert.deepEqual(params(3, ''), { maxSurge: 1, maxUnavailable: 0 });
    assert.deepEqual(params(8, ''), { maxSurge: 2, maxUnavailable: 2 });
  });
  it('makes unavailable 1 when both round to 0, and has none for Recreate', () => {
    assert.deepEqual(params(3, '  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: "10%"}}'), { maxSurge: 0, maxUnavailable: 1 });
    assert.equal(params(3, '  strategy: {type: Recreate}'), undefined);
  });
});

describe('drains', () => {
  const pdb = (spec: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  ${spec}
  selector: {matchLabels: {app: web}}
---
`;
  it('blocks forever when a budget allows no disruption of a single replica', () => {
    const r = analyzeCluster(objects(deployment('web', { replicas: 1 }) + pdb('minAvailable: 1')), DEFAULT_CLUSTER);
    assert.deepEqual(
      r.drains.map((d) => [d.node, d.completes, d.blocked.map((b) => `${b.pod} ${b.reason}`)]),
      [['worker-1', false, ['web-1 PodDisruptionBudget web (minAvailable 1) allows no disruption: 1 healthy, 1 required']]],
    );
  });

  it('completes when the budget allows one and the evicted pod finds another node', () => {
    const r = analyzeCluster(objects(deployment('web', { replicas: 2 }) + pdb('maxUnavailable: 1')), DEFAULT_CLUSTER);
    assert.deepEqual(r.drains.map((d) => [d.node, d.completes, d.evicted, d.notReplaced.length]), [['worker-1', true, 1, 0], ['worker-2', true, 1, 0]]);
  });

  it('completes but leaves the pod of an anti-affine pair Pending when only two workers exist', () => {
    const r = analyzeCluster(objects(deployment('web', { replicas: 2, spec: ANTI_AFFINITY('web') }) + pdb('maxUnavailable: "50%"')), DEFAULT_CLUSTER);
    const d = r.drains[0];
    assert.deepEqual([d?.node, d?.completes, d?.notReplaced.map((p) => p.pod), d?.outages.length], ['worker-1', true, ['web-1'], 0]);
    assert.deepEqual(d?.notReplaced[0]?.reasons.map((x) => `${x.node} ${x.reason}`), [
      CP_TAINT,
      'worker-1 is cordoned (being drained)',
      "worker-2 already runs web-2, excluded by the pod's anti-affinity on kubernetes.io/hostname",
    ]);
  });

  it('counts a cordoned node as an empty spread domain unless nodeTaintsPolicy is Honor (cordon taints it unschedulable)', () => {
    const spread = (policy: string) => `      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}${policy}}`;
    const ignore = analyzeCluster(objects(deployment('web', { spec: spread('') }) + pdb('maxUnavailable: 1')), DEFAULT_CLUSTER);
    assert.deepEqual(ignore.drains.map((d) => [d.node, d.completes, d.notReplaced.map((p) => p.pod)]), [['worker-1', true, ['web-1']], ['worker-2', true, ['web-2']]]);
    assert.equal(
      ignore.drains[0]?.notReplaced[0]?.reasons[2]?.reason,
      'would exceed the topology spread on kubernetes.io/hostname (maxSkew 1): 1 matching pod here against 0 on control-plane',
    );
    const honor = analyzeCluster(objects(deployment('web', { spec: spread(', nodeTaintsPolicy: Honor') }) + pdb('maxUnavailable: 1')), DEFAULT_CLUSTER);
    assert.deepEqual(honor.drains.map((d) => [d.node, d.completes, d.notReplaced.length]), [['worker-1', true, 0], ['worker-2', true, 0]]);
  });

  it('refuses a bare pod (no controller re-creates it)', () => {
    const r = analyzeCluster(objects('apiVersion: v1\nkind: Pod\nmetadata: {name: lone}\nspec:\n  containers: [{name: a, image: a:1}]\n'), DEFAULT_CLUSTER);
    assert.deepEqual(r.drains.map((d) => [d.node, d.completes, d.blocked.map((b) => b.pod)]), [['worker-1', false, ['lone']]]);
  });
});

describe('HPA maxima', () => {
  it('counts how many replicas of the target fit', () => {
    const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 6
`;
    const anti = analyzeCluster(objects(deployment('web', { spec: ANTI_AFFINITY('web') }) + hpa), DEFAULT_CLUSTER).hpa[0];
    assert.deepEqual([anti?.maxReplicas, anti?.fit, anti?.pending?.pod], [6, 2, 'web-3']);
    const big = analyzeCluster(objects(deployment('web', { cpu: '700m' }) + hpa), DEFAULT_CLUSTER).hpa[0];
    assert.deepEqual([big?.fit, big?.pending?.pod], [4, 'web-5']);
    const small = analyzeCluster(objects(deployment('web') + hpa), DEFAULT_CLUSTER).hpa[0];
    assert.deepEqual([small?.fit, small?.pending], [6, undefined]);
  });
});

describe('DaemonSet coverage (known defect 14)', () => {
  const cluster: ClusterModel = {
    name: 'with a dedicated pool',
    nodes: [...DEFAULT_CLUSTER.nodes, { ...clusterNode('db-1', { zone: 'zone-a' }), taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }],
  };
  const ds = (tolerations: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cadvisor}
spec:
  template:
    metadata: {labels: {app: cadvisor}}
    spec:
      tolerations: ${tolerations}
      containers: [{name: c, image: c:1}]
`;
  it('names the nodes left out by a taint the DaemonSet does not tolerate', () => {
    const [d] = analyzeCluster(objects(ds('[{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}]')), cluster).daemonSets;
    assert.deepEqual([d?.nodes, d?.excludedByTaint.map((x) => x.node)], [['control-plane', 'worker-1', 'worker-2'], ['db-1']]);
  });
  it('covers every node when it tolerates every taint', () => {
    const [d] = analyzeCluster(objects(ds('[{operator: Exists}]')), cluster).daemonSets;
    assert.deepEqual([d?.nodes.length, d?.excludedByTaint.length], [4, 0]);
  });
});

describe('minimum cluster', () => {
  it('finds the fewest workers on which everything places, rolls out and drains', () => {
    // 3 anti-affine replicas with maxUnavailable 0: 3 to place, a 4th node for the surge pod.
    const m = minimumCluster(objects(deployment('poll', { replicas: 3, strategy: SURGE_ONLY, spec: ANTI_AFFINITY('poll') })));
    assert.deepEqual([m?.workers, m?.cluster.name], [4, '1 tainted control plane + 4 workers']);
    assert.equal(minimumCluster(objects(deployment('poll', { replicas: 3, strategy: SURGE_ONLY, spec: ANTI_AFFINITY('poll') })), { maxWorkers: 3 }), undefined);
  });
});
