/**
 * The operator scripts of deploy/cluster run against stand-in tools (kubectl, docker, k3d,
 * curl) that record every call: what they would change in a cluster is checked call by call,
 * and the objects they render are checked against the renders of the overlays they serve.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { kubernetesDir, parseManifests, PRODUCTION_EXTERNAL_SECRETS, renderDir, renderOverlay, type K8sObject, type OverlayName } from '../lib/index.js';
import { connectionAllowed, find, matches, ofKind, spec, workloads, type PodSpec, type Selector } from './k8s.js';

const clusterDir = join(kubernetesDir, '..', 'cluster');

function which(tool: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${tool} is needed to run this test`);
  return r.stdout.trim();
}

/** A directory of stand-in tools, each a bash script; every call is appended to $FAKE_LOG. */
function fakeTools(tools: Record<string, string>): { dir: string; log: string; read: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'bernstein-fake-tools-'));
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  for (const [name, body] of Object.entries(tools)) {
    writeFileSync(join(dir, name), `#!/usr/bin/env bash\nprintf '%s %s\\n' "${name}" "$*" >> "$FAKE_LOG"\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return { dir, log, read: () => readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') };
}

function run(script: string, fake: { dir: string; log: string }, args: string[], env: Record<string, string> = {}) {
  return spawnSync(which('bash'), [join(clusterDir, script), ...args], {
    encoding: 'utf8',
    cwd: fake.dir,
    env: { PATH: `${fake.dir}:${process.env.PATH ?? ''}`, HOME: fake.dir, FAKE_LOG: fake.log, FAKE_DIR: fake.dir, ...env },
    timeout: 60_000,
  });
}

/** `kubectl -l` syntax (equality, !=, in) as a Selector, to evaluate it against renders. */
function parseLabelSelector(text: string): Selector {
  const selector: Required<Selector> = { matchLabels: {}, matchExpressions: [] };
  for (const part of text.split(/,(?![^(]*\))/)) {
    const inSet = /^([\w./-]+) in \(([^)]*)\)$/.exec(part);
    const notEqual = /^([\w./-]+)!=([\w.-]+)$/.exec(part);
    const equal = /^([\w./-]+)=([\w.-]+)$/.exec(part);
    if (inSet?.[1] && inSet[2] !== undefined) selector.matchExpressions.push({ key: inSet[1], operator: 'In', values: inSet[2].split(',') });
    else if (notEqual?.[1] && notEqual[2]) selector.matchExpressions.push({ key: notEqual[1], operator: 'NotIn', values: [notEqual[2]] });
    else if (equal?.[1] && equal[2]) selector.matchLabels[equal[1]] = equal[2];
    else throw new Error(`unsupported selector part: ${part}`);
  }
  return selector;
}

const renders = new Map<string, K8sObject[]>();
/** What the scripts serve: the base and each overlay, with its namespace and name prefix. */
const INSTANCES: [string, string, string][] = [
  ['base', 'default', ''],
  ['local', 'default', ''],
  ['production', 'bernstein', ''],
  ['instance-2', 'bernstein-2', 'b2-'],
];

describe('cluster operations scripts', () => {
  const cleanup: string[] = [];
  before(async () => {
    for (const [name] of INSTANCES) {
      renders.set(name, (await (name === 'base' ? renderDir(join(kubernetesDir, 'base')) : renderOverlay(name as OverlayName))).objects);
    }
  });
  after(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });
  const tools = (t: Record<string, string>) => {
    const f = fakeTools(t);
    cleanup.push(f.dir);
    return f;
  };

  describe('rollback.sh', () => {
    const selectorText = /^app_selector='([^']*)'$/m.exec(readFileSync(join(clusterDir, 'rollback.sh'), 'utf8'))?.[1] ?? '';

    it('selects exactly poll, worker and result in every overlay, never databases, Traefik or the canary', () => {
      const selector = parseLabelSelector(selectorText);
      for (const [overlay, , prefix] of INSTANCES) {
        const objects = renders.get(overlay) ?? [];
        const selected = ofKind(objects, 'Deployment').filter((d) => matches(selector, d.metadata.labels ?? {})).map((d) => d.metadata.name).sort();
        assert.deepEqual(selected, ['poll', 'result', 'worker'].map((n) => prefix + n), overlay);
      }
      assert.ok(find(renders.get('production') ?? [], 'Deployment', 'poll-canary'), 'production has the canary the selector must skip');
    });

    it('undoes only the app deployments that have a previous revision, in the given namespace', () => {
      const fake = tools({
        kubectl: `case "$*" in
  *"config current-context"*) echo ctx ;;
  *"get deployments -l"*) printf 'deployment.apps/poll\\ndeployment.apps/result\\ndeployment.apps/worker\\n' ;;
  *"get deployment poll "*) echo 3 ;;
  *"get deployment result "*) echo 2 ;;
  *"get deployment worker "*) echo 1 ;;
esac`,
      });
      const r = run('rollback.sh', fake, ['-n', 'bernstein']);
      assert.equal(r.status, 0, r.stderr);
      const calls = fake.read().filter((c) => /rollout|get deployments/.test(c));
      assert.deepEqual(calls, [
        `kubectl --context ctx -n bernstein get deployments -l ${selectorText} -o name`,
        'kubectl --context ctx -n bernstein rollout undo deployment/poll',
        'kubectl --context ctx -n bernstein rollout undo deployment/result',
        'kubectl --context ctx -n bernstein rollout status deployment/poll --timeout=300s',
        'kubectl --context ctx -n bernstein rollout status deployment/result --timeout=300s',
      ]);
      assert.match(r.stderr, /bernstein\/worker has no previous revision, left as is/);
      assert.match(r.stderr, /rolled back 2 deployment\(s\) in bernstein/);
      assert.doesNotMatch(fake.read().join('\n'), /traefik|kube-public|redis|postgres/);
    });

    it('no longer offers to roll back Traefik', () => {
      const r = run('rollback.sh', tools({ kubectl: 'exit 0' }), ['--app-only']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /unknown argument --app-only/);
    });
  });

  describe('restore.sh', () => {
    const rendered = (args: string[]): K8sObject[] => {
      const r = run('restore.sh', tools({}), ['--print', ...args]);
      assert.equal(r.status, 0, r.stderr);
      return parseManifests(r.stdout, 'restore.sh --print');
    };

    for (const [overlay, namespace, prefix] of INSTANCES) {
      it(`renders a restore Job wired to the own objects of ${overlay} (namespace ${namespace}${prefix ? `, prefix ${prefix}` : ''})`, () => {
        const objects = renders.get(overlay) ?? [];
        const args = [...(namespace === 'default' ? [] : ['-n', namespace]), ...(prefix ? ['--name-prefix', prefix] : [])];
        const [job, ...rest] = rendered(args);
        assert.deepEqual(rest, []);
        assert.equal(job?.kind, 'Job');
        assert.deepEqual([job?.metadata.name, job?.metadata.namespace], [`${prefix}postgres-restore`, namespace]);
        const pod = spec<{ template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }>(job).template;
        const c = pod.spec.containers[0];
        assert.ok(find(objects, 'ServiceAccount', pod.spec.serviceAccountName ?? '', namespace), `ServiceAccount ${pod.spec.serviceAccountName ?? ''}`);
        const claim = pod.spec.volumes?.[0]?.persistentVolumeClaim?.claimName ?? '';
        assert.ok(find(objects, 'PersistentVolumeClaim', claim, namespace), `claim ${claim}`);
        const configMap = c?.envFrom?.[0]?.configMapRef?.name ?? '';
        assert.ok(find(objects, 'ConfigMap', configMap, namespace), `ConfigMap ${configMap}`);
        const secret = c?.envFrom?.[1]?.secretRef?.name ?? '';
        assert.ok(find(objects, 'Secret', secret, namespace) ?? PRODUCTION_EXTERNAL_SECRETS[secret], `Secret ${secret}`);
        const postgres = workloads(objects).find((w) => w.name === `${prefix}postgres`);
        assert.equal(c?.image, postgres?.pod.containers[0]?.image, 'pg_restore matches the server version');
        const restorePod = { namespace, labels: pod.metadata.labels };
        assert.ok(connectionAllowed(objects, restorePod, { namespace, labels: postgres?.labels ?? {} }, 5432), 'the network policies let it reach PostgreSQL');
      });
    }

    it('takes one dump by name and refuses names that are not names', () => {
      const [job] = rendered(['--dump', 'bernstein-20260101T000000Z.dump']);
      const env = spec<{ template: { spec: PodSpec } }>(job as K8sObject).template.spec.containers[0]?.env;
      assert.deepEqual(env?.find((e) => e.name === 'DUMP_FILE')?.value, 'bernstein-20260101T000000Z.dump');
      for (const [flag, value, message] of [['--dump', '../etc/passwd', 'not a dump file name'], ['-n', 'Bad_NS', 'not a namespace name'], ['--name-prefix', 'B2', 'not a name prefix']] as const) {
        const r = run('restore.sh', tools({}), ['--print', flag, value]);
        assert.equal(r.status, 1, `${flag} ${value}`);
        assert.match(r.stderr, new RegExp(`error: ${message}: `));
      }
    });

    it('creates the Job in the cluster, waits for it and prints its log', () => {
      const fake = tools({
        kubectl: `case "$*" in
  kustomize*) exec "${which('kubectl')}" "$@" ;;
  *"get job b2-postgres-restore -o jsonpath"*) echo 1/ ;;
  *"get job"*) exit 1 ;;
  *"create -f -"*) cat > "$FAKE_DIR/created.yaml" ;;
  *logs*) echo "restore: done (bernstein-x.dump)" ;;
esac`,
      });
      const r = run('restore.sh', fake, ['--context', 'prod', '-n', 'bernstein-2', '--name-prefix', 'b2-']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /restore: done/);
      const created = parseManifests(readFileSync(join(fake.dir, 'created.yaml'), 'utf8'), 'created');
      assert.deepEqual(created.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`), ['Job bernstein-2/b2-postgres-restore']);
      assert.ok(fake.read().includes('kubectl --context prod -n bernstein-2 create -f -'));
    });
  });

  describe('backup-copy.sh', () => {
    const kubectl = `case "$*" in
  *"get cronjob b2-postgres-backup"*) echo postgres:17.6-bookworm ;;
  *"apply -f -"*) cat > "$FAKE_DIR/pod.yaml" ;;
  *"ls -1 /backups"*) printf 'bernstein-20260101T000000Z.dump\\n.bernstein-20260102T000000Z.dump.partial\\nbernstein-20260101T120000Z.dump\\nlost+found\\n' ;;
  *" cp "*) for last; do :; done; echo "dump from $6" > "$last" ;;
esac`;

    it('copies the newest dump of an instance off the cluster through a read-only pod, then deletes the pod', () => {
      const fake = tools({ kubectl });
      const to = join(fake.dir, 'copies');
      const r = run('backup-copy.sh', fake, ['--context', 'prod', '-n', 'bernstein-2', '--name-prefix', 'b2-', '--to', to]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(readdirSync(to), ['bernstein-20260101T120000Z.dump']);
      assert.equal(readFileSync(join(to, 'bernstein-20260101T120000Z.dump'), 'utf8'), 'dump from bernstein-2/b2-backup-copy:/backups/bernstein-20260101T120000Z.dump\n');
      const pod = parse(readFileSync(join(fake.dir, 'pod.yaml'), 'utf8')) as K8sObject & { spec: PodSpec & { volumes: { persistentVolumeClaim: { claimName: string; readOnly: boolean } }[] } };
      assert.deepEqual([pod.kind, pod.metadata.namespace, pod.metadata.name], ['Pod', 'bernstein-2', 'b2-backup-copy']);
      assert.deepEqual(pod.spec.volumes[0]?.persistentVolumeClaim, { claimName: 'b2-postgres-backups', readOnly: true });
      assert.ok(find(renders.get('instance-2') ?? [], 'PersistentVolumeClaim', 'b2-postgres-backups', 'bernstein-2'));
      assert.ok(find(renders.get('instance-2') ?? [], 'ServiceAccount', pod.spec.serviceAccountName ?? '', 'bernstein-2'));
      const c = pod.spec.containers[0];
      assert.equal(c?.image, 'postgres:17.6-bookworm');
      assert.deepEqual([c?.securityContext?.readOnlyRootFilesystem, c?.securityContext?.allowPrivilegeEscalation, c?.volumeMounts?.[0]?.readOnly], [true, false, true]);
      assert.equal(pod.spec.securityContext?.runAsNonRoot, true);
      assert.ok(fake.read().some((c2) => c2.startsWith('kubectl --context prod -n bernstein-2 delete pod b2-backup-copy')), 'the pod is deleted');
    });

    it('copies only what is missing here, all of it with --all', () => {
      const fake = tools({ kubectl });
      const to = join(fake.dir, 'copies');
      mkdirSync(to);
      writeFileSync(join(to, 'bernstein-20260101T120000Z.dump'), 'kept');
      const r = run('backup-copy.sh', fake, ['--context', 'prod', '-n', 'bernstein-2', '--name-prefix', 'b2-', '--to', to, '--all']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(readdirSync(to).sort(), ['bernstein-20260101T000000Z.dump', 'bernstein-20260101T120000Z.dump']);
      assert.equal(readFileSync(join(to, 'bernstein-20260101T120000Z.dump'), 'utf8'), 'kept');
      assert.match(r.stderr, /copied 1 dump\(s\)/);
    });
  });

  describe('secrets.sh', () => {
    // A cluster where only the Secret "postgres" exists; each created Secret's env file is
    // kept as $FAKE_DIR/secret-<name> (the values never appear on a command line).
    const standIns = () => ({
      kubectl: `case "$*" in
  *" get secret postgres"|*" get namespace "*) exit 0 ;;
  *" get secret "*) exit 1 ;;
  *" create secret generic "*)
    name=""; for a in "$@"; do case "$a" in --from-env-file=*) f="\${a#--from-env-file=}" ;; --from-file=*) f=/dev/stdin ;; esac; done
    for a in "$@"; do [ "$prev" = generic ] && name="$a"; prev="$a"; done
    cat "$f" > "$FAKE_DIR/secret-$name"; echo "kind: Secret" ;;
  *" apply -f -") cat > /dev/null ;;
esac
exit 0`,
      // The worker image's ACL renderer: the default line, then one line per password given.
      docker: `for a in "$@"; do case "$a" in --env-file) next=1 ;; *) [ -n "\${next:-}" ] && f="$a"; next="" ;; esac; done
echo 'user default off resetpass ~* &* +@all'
sed -n 's/^REDIS_ACL_\\([A-Z]*\\)_PASSWORD=.*/user \\1 on/p' "$f"`,
    });
    const secret = (dir: string, name: string) => Object.fromEntries(readFileSync(join(dir, `secret-${name}`), 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

    it("generates every credential an instance does not commit, keeps what exists, and renders Redis' ACL file", () => {
      const fake = tools(standIns());
      const r = run('secrets.sh', fake, ['--context', 'prod', '--namespace', 'bernstein-2']);
      assert.equal(r.status, 0, r.stderr);
      const created = fake.read().filter((c) => c.includes(' create secret generic ')).map((c) => /generic (\S+)/.exec(c)?.[1]);
      assert.deepEqual(created, ['poll', 'postgres-owner', 'postgres-worker', 'postgres-result', 'postgres-backup', 'redis-poll', 'redis-worker', 'redis-probe', 'redis-scaler', 'redis-acl']);
      assert.match(r.stderr, /Secret bernstein-2\/postgres exists, kept/);
      for (const c of fake.read().filter((x) => x.includes(' create secret '))) assert.match(c, /^kubectl --context prod -n bernstein-2 create secret generic \S+ --from-(env-)?file=\S+ --dry-run=client -o yaml$/);
      const passwords = new Set<string>();
      for (const [name, user] of [['postgres-owner', 'bernstein'], ['postgres-worker', 'worker'], ['postgres-result', 'result'], ['postgres-backup', 'backup']] as const) {
        const s = secret(fake.dir, name);
        assert.equal(s.POSTGRES_USER, user);
        assert.match(s.POSTGRES_PASSWORD ?? '', /^[A-Za-z0-9_-]{43}$/, `${name}: 256 random bits, base64url`);
        passwords.add(s.POSTGRES_PASSWORD ?? '');
      }
      for (const user of ['poll', 'worker', 'probe', 'scaler']) {
        const s = secret(fake.dir, `redis-${user}`);
        assert.equal(s.REDIS_USERNAME, user);
        passwords.add(s.REDIS_PASSWORD ?? '');
      }
      const poll = secret(fake.dir, 'poll');
      assert.match(poll.COOKIE_SECRETS ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(poll.ADMIN_TOKEN ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.equal(passwords.size, 8, 'every password differs');
      // The ACL file: the default user's exact line first, then the users whose passwords it got.
      assert.equal(readFileSync(join(fake.dir, 'secret-redis-acl'), 'utf8'), 'user default off resetpass ~* &* +@all\nuser POLL on\nuser WORKER on\nuser PROBE on\nuser SCALER on\n');
      assert.ok(fake.read().some((c) => /^docker run --rm --env-file \S+ bernstein\/worker:\d+\.\d+\.\d+ node dist\/redis-acl\.js$/.test(c)));
      // No password on any command line.
      for (const p of passwords) assert.ok(!fake.read().some((c) => c.includes(p)));
    });

    it('--poll-only generates poll\'s Secret alone (the local overlay keeps the development ones)', () => {
      const fake = tools(standIns());
      const r = run('secrets.sh', fake, ['--context', 'kind-bernstein', '--namespace', 'default', '--poll-only']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(fake.read().filter((c) => c.includes(' create secret ')).map((c) => /generic (\S+)/.exec(c)?.[1]), ['poll']);
      assert.ok(!fake.read().some((c) => c.startsWith('docker')));
    });
  });

  describe('up-k3d.sh', () => {
    // A cluster that answers: images build, nodes take them, rollouts finish, one vote counts.
    const standIns = (bundledTraefik: boolean) => ({
      docker: 'exit 0',
      k3d: '[ "$1 $2" = "cluster get" ] && exit 1; exit 0',
      kubectl: `case "$*" in
  kustomize*|*" kustomize "*) if [ "$1" = --context ]; then shift 2; fi; exec "${which('kubectl')}" "$@" ;;
  *"-n kube-system get deployment traefik"*) ${bundledTraefik ? 'exit 0' : 'exit 1'} ;;
  *" wait "*"-f -") cat > /dev/null ;;
esac
exit 0`,
      curl: `case "$*" in
  */votes*) echo '{"receipt":"r1"}' ;;
  */results*) n=$(cat "$FAKE_DIR/total" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_DIR/total"; echo "{\\"total\\":$n}" ;;
  *) echo '{"id":"default","options":[{"id":"a"},{"id":"b"}]}' ;;
esac`,
    });

    it("creates the cluster without k3s' Traefik and applies the CRDs, Established, before the overlay", () => {
      const fake = tools(standIns(false));
      const r = run('up-k3d.sh', fake, [], { BERNSTEIN_SMOKE_WAIT: '3' });
      assert.equal(r.status, 0, r.stderr);
      const calls = fake.read();
      const builds = calls.filter((c) => c.startsWith('docker build'));
      assert.deepEqual(builds.map((c) => /--target (\w+) -f (\S+)/.exec(c)?.slice(1)), ['poll', 'worker', 'result'].map((s) => [s, join(kubernetesDir, '..', '..', 'Dockerfile')]));
      const create = calls.find((c) => c.startsWith('k3d cluster create'));
      assert.ok(create?.includes('--k3s-arg --disable=traefik@server:*'), create);
      const crds = join(kubernetesDir, 'crds');
      const at = (pattern: RegExp) => calls.findIndex((c) => pattern.test(c));
      const overlay = at(/^kubectl --context k3d-bernstein apply -k .*overlays\/local$/);
      assert.ok(overlay > 0, 'the overlay is applied');
      if (existsSync(join(crds, 'kustomization.yaml'))) {
        const applyCrds = at(/^kubectl --context k3d-bernstein apply --server-side -k .*\/crds$/);
        const established = at(/^kubectl --context k3d-bernstein wait --for=condition=Established --timeout=60s -f -$/);
        assert.ok(applyCrds >= 0 && applyCrds < established && established < overlay, calls.join('\n'));
      }
      assert.match(r.stderr, /smoke test passed/);
    });

    it('up-kind.sh: the same order on kind, with its 3-node configuration', () => {
      const fake = tools({ ...standIns(false), kind: 'exit 0' });
      const r = run('up-kind.sh', fake, [], { BERNSTEIN_SMOKE_WAIT: '3' });
      assert.equal(r.status, 0, r.stderr);
      const calls = fake.read();
      assert.ok(calls.includes(`kind create cluster --name bernstein --config ${join(clusterDir, 'kind.yaml')} --wait 180s`), calls.join('\n'));
      const at = (pattern: RegExp) => calls.findIndex((c) => pattern.test(c));
      const overlay = at(/^kubectl --context kind-bernstein apply -k .*overlays\/local$/);
      if (existsSync(join(kubernetesDir, 'crds', 'kustomization.yaml'))) {
        const established = at(/^kubectl --context kind-bernstein wait --for=condition=Established --timeout=60s -f -$/);
        assert.ok(at(/^kubectl --context kind-bernstein apply --server-side -k .*\/crds$/) < established && established < overlay, calls.join('\n'));
      }
      assert.ok(overlay > 0);
      assert.match(r.stderr, /smoke test passed/);
    });

    it("stops before deploying when a reused cluster still runs k3s' bundled Traefik", () => {
      const fake = tools({ ...standIns(true), k3d: 'exit 0' });
      const r = run('up-k3d.sh', fake, []);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /k3s' bundled Traefik runs in kube-system of bernstein/);
      assert.ok(!fake.read().some((c) => / apply /.test(c)), 'nothing applied');
    });
  });
});
