// `--cluster`: presets, the cluster file format, its errors (exit 2) and its effect on a check.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run, type Io } from '../src/cli.js';
import { ClusterFileError, parseClusterFile, resolveCluster } from '../src/cluster/file.js';
import { K3D_CLUSTER, KIND_CLUSTER } from '../src/cluster/model.js';
import { ANTI_AFFINITY, deployment } from './cluster-helpers.js';

const GiB = 1024 ** 3;

function io(cwd: string): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY: false, cwd };
}

describe('cluster presets', () => {
  it('models the clusters our scripts create', () => {
    assert.equal(resolveCluster('kind'), KIND_CLUSTER);
    assert.deepEqual(KIND_CLUSTER.nodes.map((n) => [n.name, n.taints.length, n.labels['topology.kubernetes.io/zone']]), [
      ['bernstein-control-plane', 1, undefined],
      ['bernstein-worker', 0, undefined],
      ['bernstein-worker2', 0, undefined],
    ]);
    assert.deepEqual(K3D_CLUSTER.nodes.map((n) => [n.name, n.taints.length]), [
      ['k3d-bernstein-server-0', 0],
      ['k3d-bernstein-agent-0', 0],
      ['k3d-bernstein-agent-1', 0],
    ]);
  });
});

describe('cluster file', () => {
  it('reads nodes with zone, labels, taints (mapping or string) and allocatable', () => {
    const c = parseClusterFile(
      {
        name: 'staging',
        defaultStorageClass: 'fast',
        nodes: [
          { name: 'cp', taints: ['node-role.kubernetes.io/control-plane:NoSchedule'], allocatable: { cpu: '2', memory: '4Gi' } },
          { name: 'db', zone: 'b', labels: { disk: 'ssd' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }], allocatable: { cpu: '1500m', memory: '8Gi', pods: 30 } },
        ],
      },
      'staging.yaml',
    );
    assert.deepEqual(c, {
      name: 'staging',
      defaultStorageClass: 'fast',
      nodes: [
        { name: 'cp', labels: { 'kubernetes.io/hostname': 'cp', 'kubernetes.io/os': 'linux' }, taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }], allocatable: { cpuMillis: 2000, memoryBytes: 4 * GiB, pods: 110 } },
        {
          name: 'db',
          labels: { 'kubernetes.io/hostname': 'db', 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': 'b', disk: 'ssd' },
          taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }],
          allocatable: { cpuMillis: 1500, memoryBytes: 8 * GiB, pods: 30 },
        },
      ],
    });
  });

  it('names what is wrong', () => {
    const messageOf = (raw: unknown): string => {
      try {
        parseClusterFile(raw, 'c.yaml');
        return '';
      } catch (err) {
        assert.ok(err instanceof ClusterFileError);
        return err.message;
      }
    };
    assert.equal(messageOf([]), 'cluster file c.yaml: expected a mapping with "nodes" (and optionally "name", "defaultStorageClass")');
    assert.equal(messageOf({ nodes: [] }), 'cluster file c.yaml: "nodes" must be a non-empty list');
    assert.equal(messageOf({ nodes: [{ name: 'a', allocatable: { cpu: '2', memory: '4Gi' } }], zones: 3 }), 'cluster file c.yaml: unknown key "zones" (expected name, defaultStorageClass, nodes)');
    assert.equal(messageOf({ nodes: [{ name: 'a' }] }), 'cluster file c.yaml: nodes[0] (a): "allocatable" with cpu and memory is required');
    assert.equal(messageOf({ nodes: [{ name: 'a', allocatable: { cpu: 'two', memory: '4Gi' } }] }), 'cluster file c.yaml: nodes[0] (a): allocatable.cpu is not a CPU quantity ("2", "1500m"): "two"');
    assert.equal(
      messageOf({ nodes: [{ name: 'a', taints: ['gpu:NoRun'], allocatable: { cpu: '2', memory: '4Gi' } }] }),
      'cluster file c.yaml: nodes[0] (a).taints[0]: expected "key[=value]:Effect" with Effect NoSchedule, PreferNoSchedule, NoExecute; got "gpu:NoRun"',
    );
    assert.equal(
      messageOf({ nodes: [{ name: 'a', allocatable: { cpu: '2', memory: '4Gi' } }, { name: 'a', allocatable: { cpu: '2', memory: '4Gi' } }] }),
      'cluster file c.yaml: nodes[1]: duplicate node name "a"',
    );
  });
});

describe('--cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bernstein-cluster-'));
  writeFileSync(join(dir, 'poll.yaml'), deployment('poll', { replicas: 3, spec: ANTI_AFFINITY('poll') }));
  writeFileSync(join(dir, 'three.cluster.yaml'), ['name: three workers', 'nodes:', ...['w1', 'w2', 'w3'].map((n) => `  - {name: ${n}, allocatable: {cpu: "2", memory: 4Gi}}`)].join('\n'));
  writeFileSync(join(dir, 'broken.cluster.yaml'), 'nodes: [{name: w1}]\n');

  it('checks against the cluster given: 3 anti-affine replicas fit 3 workers, not the default 2', async () => {
    const args = ['--format', 'json', '--config', join(dir, 'only.yaml'), 'poll.yaml'];
    writeFileSync(join(dir, 'only.yaml'), 'rules: {}\n');
    const onDefault = io(dir);
    await run(args, onDefault);
    assert.match(onDefault.out.join(''), /1 of 3 pods of Deployment poll stay Pending/);
    const onThree = io(dir);
    assert.notEqual(await run(['--cluster', 'three.cluster.yaml', ...args], onThree), 2, onThree.err.join(''));
    assert.match(onThree.out.join(''), /"rule": ?"/);
    assert.doesNotMatch(onThree.out.join(''), /cluster-schedulable/);
  });

  it('exits 2 with the reason for a bad file or an unknown name', async () => {
    const broken = io(dir);
    assert.equal(await run(['--cluster', 'broken.cluster.yaml', 'poll.yaml'], broken), 2);
    assert.equal(broken.err.join(''), 'bernstein check: cluster file broken.cluster.yaml: nodes[0] (w1): "allocatable" with cpu and memory is required\n');
    const unknown = io(dir);
    assert.equal(await run(['--cluster', 'kind3', 'poll.yaml'], unknown), 2);
    assert.equal(unknown.err.join(''), 'bernstein check: --cluster kind3: neither a preset (default, kind, k3d, production) nor a readable file\n');
  });
});
