/**
 * The cluster-wide pieces do their job, not only render: Traefik's CRD provider may read
 * everything it waits for, cAdvisor runs on every node and finds the container runtime that
 * names pods, Prometheus' data fits its volume, and no comment or guide says otherwise.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderOverlay, kubernetesDir, type K8sObject } from '../lib/index.js';
import { find, get, ofKind, quantity, spec, workloads, type Workload } from './k8s.js';

const repoDir = join(kubernetesDir, '..', '..');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Every rule granted to a ServiceAccount through ClusterRoleBindings. */
/** Rules granted cluster-wide (ClusterRoleBindings), or in `inNamespace` (its RoleBindings) when given. */
function grantedRules(objects: readonly K8sObject[], namespace: string, account: string, inNamespace?: string): Rule[] {
  const bindings = inNamespace === undefined ? ofKind(objects, 'ClusterRoleBinding') : ofKind(objects, 'RoleBinding').filter((b) => b.metadata.namespace === inNamespace);
  return bindings.flatMap((b) => {
    const binding = b as unknown as { roleRef: { name: string }; subjects: { kind: string; name: string; namespace?: string }[] };
    if (!binding.subjects.some((s) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === namespace)) return [];
    return (get(objects, 'ClusterRole', binding.roleRef.name) as unknown as { rules: Rule[] }).rules;
  });
}
const allows = (rules: Rule[], group: string, resource: string, verb: string) =>
  rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
interface Taint {
  key: string;
  value?: string;
  effect: string;
}
/** https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/ */
function tolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || t.value === taint.value;
  });
}

describe('cluster-wide pieces at work', () => {
  let local: K8sObject[];
  let production: K8sObject[];
  before(async () => {
    local = (await renderOverlay('local')).objects;
    production = (await renderOverlay('production')).objects;
  });

  it("grants Traefik's CRD provider exactly what Traefik v3.6 lists for it (ConfigMaps included)", () => {
    const rules = grantedRules(production, 'kube-public', 'traefik');
    const read = ['get', 'list', 'watch'];
    for (const resource of ['services', 'nodes', 'configmaps']) for (const verb of read) assert.ok(allows(rules, '', resource, verb), `${verb} ${resource}`);
    // Secrets only in the namespace both providers watch (--providers.*.namespaces=bernstein).
    for (const verb of read) assert.ok(!allows(rules, '', 'secrets', verb), `cluster-wide ${verb} secrets`);
    for (const verb of read) assert.ok(allows(grantedRules(production, 'kube-public', 'traefik', 'bernstein'), '', 'secrets', verb), `${verb} secrets in bernstein`);
    const args = production.flatMap((o) => (o.kind === 'Deployment' && o.metadata.name === 'traefik' ? (spec<{ template: { spec: { containers: { args: string[] }[] } } }>(o).template.spec.containers[0]?.args ?? []) : []));
    for (const a of ['--providers.kubernetesIngress.namespaces=bernstein', '--providers.kubernetesCRD.namespaces=bernstein']) assert.ok(args.includes(a), a);
    for (const verb of ['list', 'watch']) assert.ok(allows(rules, 'discovery.k8s.io', 'endpointslices', verb));
    const kinds = ['ingressroutes', 'ingressroutetcps', 'ingressrouteudps', 'middlewares', 'middlewaretcps', 'serverstransports', 'serverstransporttcps', 'tlsoptions', 'tlsstores', 'traefikservices'];
    for (const kind of kinds) for (const verb of read) assert.ok(allows(rules, 'traefik.io', kind, verb), `${verb} ${kind}`);
    const writes = rules.filter((r) => r.verbs.some((v) => !read.includes(v)));
    assert.deepEqual(writes.flatMap((r) => r.resources), ['ingresses/status'], 'Traefik only reads, but for Ingress status');
    // Without the CRD provider (no canary), ConfigMaps stay unreadable: least privilege.
    assert.ok(!allows(grantedRules(local, 'kube-public', 'traefik'), '', 'configmaps', 'list'));
  });

  it('runs cAdvisor on every node, whatever its taints', () => {
    const cadvisor = workloads(local).find((w) => w.name === 'cadvisor') as Workload;
    const tolerations = (cadvisor.pod as { tolerations?: Toleration[] }).tolerations ?? [];
    const taints: Taint[] = [
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      { key: 'bernstein.dev/role', value: 'data', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'dedicated', value: 'gpu', effect: 'PreferNoSchedule' },
    ];
    for (const taint of taints) assert.ok(tolerated(tolerations, taint), `${taint.key}:${taint.effect}`);
    // The evaluator is not a yes-machine: the control-plane-only toleration misses the others.
    const controlPlaneOnly = [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }];
    assert.deepEqual(taints.map((t) => tolerated(controlPlaneOnly, t)), [true, false, false, false]);
  });

  describe("cAdvisor of the local overlay finds containerd on k3s and on kind", () => {
    let root: string;
    let socketServer: Server | undefined;
    before(() => {
      root = mkdtempSync(join(tmpdir(), 'bernstein-cadvisor-'));
    });
    after(() => {
      socketServer?.close();
      rmSync(root, { recursive: true, force: true });
    });

    /** Runs the pod's command with the host's /var/run at `varRun` and a cAdvisor that prints its arguments. */
    function startCadvisor(varRun: string): string[] {
      const cadvisor = workloads(local).find((w) => w.name === 'cadvisor') as Workload;
      const c = cadvisor.pod.containers[0];
      const mount = c?.volumeMounts?.find((m) => m.mountPath === '/var/run');
      assert.equal(cadvisor.pod.volumes?.find((v) => v.name === mount?.name)?.hostPath?.path, '/var/run', "the node's /var/run is mounted at /var/run");
      const fake = join(root, 'cadvisor');
      writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n');
      chmodSync(fake, 0o755);
      const [shell, flag, script, ...rest] = [...(c?.command ?? []), ...(c?.args ?? [])];
      assert.deepEqual([shell, flag], ['/bin/sh', '-c']);
      const r = spawnSync('sh', ['-c', (script ?? '').replaceAll('/var/run', varRun).replaceAll('/usr/bin/cadvisor', fake), ...rest], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim().split('\n');
    }

    it('kind: the default socket /run/containerd/containerd.sock', () => {
      const varRun = join(root, 'kind');
      mkdirSync(join(varRun, 'containerd'), { recursive: true });
      const args = startCadvisor(varRun);
      assert.deepEqual(args.slice(0, 3), ['-logtostderr', `--containerd=${varRun}/containerd/containerd.sock`, '--containerd-namespace=k8s.io']);
      assert.deepEqual(args.slice(3, 4), ['--port=8080'], "the base's arguments follow");
    });

    it('k3s/k3d: its socket /run/k3s/containerd/containerd.sock, when the node has it', async () => {
      const varRun = join(root, 'k3s');
      const socket = join(varRun, 'k3s', 'containerd', 'containerd.sock');
      mkdirSync(join(varRun, 'k3s', 'containerd'), { recursive: true });
      const server = createServer();
      socketServer = server;
      await new Promise<void>((resolve) => server.listen(socket, resolve));
      assert.ok(statSync(socket).isSocket());
      const args = startCadvisor(varRun);
      assert.deepEqual(args.slice(0, 3), ['-logtostderr', `--containerd=${socket}`, '--containerd-namespace=k8s.io']);
      assert.ok(args.includes('--whitelisted_container_labels=io.kubernetes.container.name,io.kubernetes.pod.name,io.kubernetes.pod.namespace'));
    });
  });

  it("keeps Prometheus' data on a claim, with a size cap that leaves room for the WAL", () => {
    const prometheus = workloads(production).find((w) => w.name === 'prometheus') as Workload;
    const args = prometheus.pod.containers[0]?.args ?? [];
    const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    assert.equal(flag('storage.tsdb.retention.time'), '7d');
    const sizeCap = /^(\d+)GB$/.exec(flag('storage.tsdb.retention.size') ?? '');
    assert.ok(sizeCap, 'a size cap in GB');
    const dataMount = prometheus.pod.containers[0]?.volumeMounts?.find((m) => m.mountPath === flag('storage.tsdb.path'));
    const volume = prometheus.pod.volumes?.find((v) => v.name === dataMount?.name);
    assert.equal(volume?.emptyDir, undefined, 'an emptyDir over its sizeLimit evicts the pod and loses the data');
    const claim = get(production, 'PersistentVolumeClaim', volume?.persistentVolumeClaim?.claimName ?? '', 'bernstein');
    const capacity = quantity(spec<{ resources: { requests: { storage: string } } }>(claim).resources.requests.storage);
    // Prometheus' units are powers of two (1GB = 2^30 bytes); at most 80 % of the volume.
    assert.ok(Number(sizeCap[1]) * 1024 ** 3 <= 0.8 * capacity, `${sizeCap[1]}GB on ${capacity} bytes`);
    assert.equal(spec<{ strategy: { type: string } }>(prometheus.object).strategy.type, 'Recreate', 'a ReadWriteOnce claim: the old pod goes first');
    assert.ok(find(production, 'PersistentVolumeClaim', 'prometheus', 'bernstein'));
  });

  describe('comments and guides say what the manifests do', () => {
    const textFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name);
        if (e.isDirectory()) return textFiles(path);
        return /\.(ya?ml|md|sh|json)$/.test(e.name) ? [path] : [];
      });
    const files = [...textFiles(join(repoDir, 'deploy')), ...textFiles(join(repoDir, 'docs')), join(repoDir, 'README.md')];

    // Each phrase once described something the manifests no longer do (or never did).
    const STALE: [RegExp, string][] = [
      [/fsync(s|ed)? every second|appendfsync everysec/i, 'Redis fsyncs before every reply (appendfsync always)'],
      [/memory-backed emptyDir/i, "Prometheus' data is on a PersistentVolumeClaim"],
      [/rollback\.sh[^\n]*(--app-only|every Deployment)/, 'rollback.sh touches only the app; Traefik is never rolled back'],
      [/ops\/postgres-restore\.job\.yaml/, 'the restore Job is ops/postgres-restore/ (restore.sh)'],
      [/add\s+`--containerd=/, 'the local overlay passes the k3s containerd socket itself'],
      [/services\/\*\/Dockerfile/, 'the images are built from the root Dockerfile, a target each'],
    ];
    for (const [phrase, truth] of STALE) {
      it(`nowhere says ${String(phrase)} (${truth})`, () => {
        const hits = files.filter((f) => !f.includes(`${join('docs', 'adr')}`) && phrase.test(readFileSync(f, 'utf8'))).map((f) => relative(repoDir, f));
        assert.deepEqual(hits, []);
      });
    }

    it('every deploy/ path the operations guide and the deploy READMEs name exists', () => {
      const guides = [join(repoDir, 'docs', 'operations.md'), ...files.filter((f) => f.startsWith(join(repoDir, 'deploy')) && f.endsWith('README.md'))];
      const missing: string[] = [];
      for (const guide of guides) {
        for (const m of readFileSync(guide, 'utf8').matchAll(/\bdeploy\/(?:cluster|kubernetes|containers|compose)[\w./-]*[\w/]/g)) {
          if (!existsSync(join(repoDir, m[0]))) missing.push(`${relative(repoDir, guide)}: ${m[0]}`);
        }
      }
      assert.deepEqual(missing, []);
    });
  });
});
