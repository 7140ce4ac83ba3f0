// The cluster rules' exact findings (message, level, line) through the engine, on the default
// cluster and on other cluster models.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkUnits } from '../src/engine.js';
import { clusterNode, DEFAULT_CLUSTER, KIND_CLUSTER, type ClusterModel } from '../src/cluster/model.js';
import type { Unit } from '../src/model.js';
import { ANTI_AFFINITY, deployment, objects, SURGE_ONLY } from './cluster-helpers.js';

const DEFAULT = `on cluster ${DEFAULT_CLUSTER.name}`;
const CP = 'control-plane has the taint node-role.kubernetes.io/control-plane:NoSchedule, which the pod does not tolerate';

async function findings(text: string, rule: string, cluster: ClusterModel = DEFAULT_CLUSTER): Promise<string[]> {
  const unit: Unit = { root: 'test', fileNames: ['test.yaml'], isDirectory: false, objects: objects(text), compose: [], dockerfiles: [], problems: [] };
  const out = await checkUnits([unit], { profiles: ['production'], only: [rule], cluster });
  return out.map((f) => `${f.severity} ${f.kind ?? ''} ${f.name ?? ''}: ${f.message}`);
}

const HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: poll}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: poll}
  maxReplicas: 5
---
`;

describe('cluster-schedulable', () => {
  it('names the workload, the cluster and each node\'s reason', async () => {
    const spec = `      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: poll}}}`;
    const skew = "would exceed the topology spread on kubernetes.io/hostname (maxSkew 1): 1 matching pod here against 0 on control-plane";
    assert.deepEqual(await findings(deployment('poll', { replicas: 3, spec }), 'cluster-schedulable'), [
      `error Deployment poll: 1 of 3 pods of Deployment poll stay Pending ${DEFAULT}: ${CP}; worker-1 ${skew}; worker-2 ${skew}`,
    ]);
  });

  it('warns when an HPA maximum cannot fit, naming how many fit', async () => {
    assert.deepEqual(await findings(deployment('poll', { spec: ANTI_AFFINITY('poll') }) + HPA, 'cluster-schedulable'), [
      `warning HorizontalPodAutoscaler poll: maxReplicas 5, but only 2 pods of Deployment poll fit ${DEFAULT}: the next one stays Pending (${CP}; worker-1 already runs poll-1, excluded by the pod's anti-affinity on kubernetes.io/hostname; worker-2 already runs poll-2, excluded by the pod's anti-affinity on kubernetes.io/hostname)`,
    ]);
    assert.deepEqual(await findings(deployment('poll') + HPA, 'cluster-schedulable'), []);
  });
});

describe('cluster-rollout', () => {
  it('reports a rollout that never completes', async () => {
    assert.deepEqual(await findings(deployment('poll', { strategy: SURGE_ONLY, spec: ANTI_AFFINITY('poll') }), 'cluster-rollout'), [
      `error Deployment poll: a rolling update of Deployment poll never completes ${DEFAULT}: with maxSurge 1 and maxUnavailable 0, the new pod stays Pending (${CP}; worker-1 already runs poll-1, excluded by the pod's anti-affinity on kubernetes.io/hostname; worker-2 already runs poll-2, excluded by the pod's anti-affinity on kubernetes.io/hostname), and maxUnavailable 0 lets no old pod stop first`,
    ]);
  });
});

describe('cluster-drain', () => {
  const pdb = (spec: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db}
spec:
  ${spec}
  selector: {matchLabels: {app: db}}
---
`;
  it('is an error when a drain blocks forever', async () => {
    assert.deepEqual(await findings(deployment('db', { replicas: 1 }) + pdb('minAvailable: 1'), 'cluster-drain'), [
      `error PodDisruptionBudget db: draining worker-1 never completes ${DEFAULT}: pod db-1 of Deployment db cannot be evicted: PodDisruptionBudget db (minAvailable 1) allows no disruption: 1 healthy, 1 required`,
    ]);
  });

  it('is a warning when a drain leaves a workload with no running pod, not when a budget allows fewer', async () => {
    const pinned = deployment('db', { replicas: 1, spec: '      nodeSelector: {kubernetes.io/hostname: worker-1}' });
    assert.deepEqual(await findings(pinned, 'cluster-drain'), [
      `warning Deployment db: draining worker-1 ${DEFAULT} leaves no pod of Deployment db running until the node is back: the evicted pod finds no other node (${CP}; worker-1 is cordoned (being drained); worker-2 does not match the pod's nodeSelector/node affinity)`,
    ]);
    assert.deepEqual(await findings(deployment('db', { replicas: 2, spec: ANTI_AFFINITY('db') }) + pdb('maxUnavailable: 1'), 'cluster-drain'), []);
  });

  it('warns of a bare pod, at which kubectl drain stops until --force', async () => {
    assert.deepEqual(await findings('apiVersion: v1\nkind: Pod\nmetadata: {name: lone}\nspec:\n  containers: [{name: a, image: a:1}]\n', 'cluster-drain'), [
      `warning Pod lone: draining worker-1 ${DEFAULT} stops at pod lone: it is not managed by a controller, so kubectl drain refuses to delete it without --force (and nothing would re-create it)`,
    ]);
  });

  it('keeps the level set by --config', async () => {
    const unit: Unit = { root: 'test', fileNames: [], isDirectory: false, objects: objects(deployment('db', { replicas: 1 }) + pdb('minAvailable: 1')), compose: [], dockerfiles: [], problems: [] };
    const out = await checkUnits([unit], { profiles: ['production'], only: ['cluster-drain'], config: { rules: { 'cluster-drain': 'info' } } });
    assert.deepEqual(out.map((f) => f.severity), ['info']);
  });
});

describe('cluster-daemonset-coverage', () => {
  const cadvisor = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cadvisor, namespace: kube-system}
spec:
  template:
    metadata: {labels: {app: cadvisor}}
    spec:
      tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}]
      containers: [{name: c, image: c:1}]
`;
  it('names the nodes of the model it misses', async () => {
    const cluster: ClusterModel = { name: 'pools', nodes: [...DEFAULT_CLUSTER.nodes, { ...clusterNode('gpu-1'), taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] }] };
    assert.deepEqual(await findings(cadvisor, 'cluster-daemonset-coverage', cluster), [
      'warning DaemonSet cadvisor: cadvisor gets no pod on gpu-1 (nvidia.com/gpu:NoSchedule) on cluster pools: it does not tolerate those taints',
    ]);
  });

  it('warns on a model without such nodes that it tolerates only named taints', async () => {
    assert.deepEqual(await findings(cadvisor, 'cluster-daemonset-coverage'), [
      'warning DaemonSet cadvisor: cadvisor tolerates only node-role.kubernetes.io/control-plane:NoSchedule: a node with any other NoSchedule or NoExecute taint (a dedicated or GPU pool) gets no cadvisor pod',
    ]);
  });

  it('says nothing of a DaemonSet that is not a node agent', async () => {
    assert.deepEqual(await findings(cadvisor.replaceAll('cadvisor', 'ingress'), 'cluster-daemonset-coverage'), []);
  });
});

describe('rwo-rolling-update', () => {
  const pvc = (mode: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [${mode}], resources: {requests: {storage: 1Gi}}}
---
`;
  const volume = '      volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]';
  it('reports a ReadWriteOnce claim with the default strategy', async () => {
    assert.deepEqual(await findings(deployment('db', { replicas: 1, spec: volume }) + pvc('ReadWriteOnce'), 'rwo-rolling-update'), [
      'error Deployment db: db mounts the ReadWriteOnce PersistentVolumeClaim data but updates with RollingUpdate (the default): the new pod may land on another node and never mount the volume the old pod holds; use strategy Recreate or a StatefulSet',
    ]);
  });
  it('accepts Recreate, a ReadWriteMany claim and a scaled-down Deployment', async () => {
    assert.deepEqual(await findings(deployment('db', { replicas: 1, spec: volume, strategy: '  strategy: {type: Recreate}' }) + pvc('ReadWriteOnce'), 'rwo-rolling-update'), []);
    assert.deepEqual(await findings(deployment('db', { replicas: 1, spec: volume }) + pvc('ReadWriteMany'), 'rwo-rolling-update'), []);
    assert.deepEqual(await findings(deployment('db', { replicas: 0, spec: volume }) + pvc('ReadWriteOnce'), 'rwo-rolling-update'), []);
  });
});

describe('zone-spread', () => {
  it('reports replicated workloads spread over no zone, and accepts preferred zone anti-affinity', async () => {
    assert.deepEqual(await findings(deployment('web'), 'zone-spread'), [
      'warning Deployment web: web runs 2 replicas with no spread over topology.kubernetes.io/zone: one zone outage can take all of them; add a topology spread constraint on topology.kubernetes.io/zone (ScheduleAnyway, or DoNotSchedule without minDomains)',
    ]);
    const preferred = `      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm: {topologyKey: topology.kubernetes.io/zone, labelSelector: {matchLabels: {app: web}}}`;
    assert.deepEqual(await findings(deployment('web', { spec: preferred }), 'zone-spread'), []);
    assert.deepEqual(await findings(deployment('web', { replicas: 1 }), 'zone-spread'), []);
  });

  it('a DoNotSchedule zone constraint leaves pods Pending on kind, whose nodes have no zone label', async () => {
    const spec = '      topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]';
    const [f] = await findings(deployment('web', { spec }), 'cluster-schedulable', KIND_CLUSTER);
    assert.match(f ?? '', /^error Deployment web: 2 of 2 pods of Deployment web stay Pending on cluster kind .*bernstein-worker has no label topology\.kubernetes\.io\/zone/);
  });
});
