/**
 * Least privilege in every rendered overlay (issue 11): no insecure Traefik API, default-deny
 * NetworkPolicies with exactly the connections each workload needs, no committed Secret in
 * instance-N, every workload's credentials in a Secret of its own, Redis with its ACL file
 * (default user off with the exact line AOF replay needs) and probes on the ops port.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_USER, aclPasswordHash } from '@bernstein/common';
import { instance, renderInstance, renderOverlay, type K8sObject, type OverlayName } from '../lib/index.js';
import { connectionAllowed, find, get, ofKind, workloads, type Container, type Peer, type Workload } from './k8s.js';

const OVERLAY_NAMESPACES: Record<OverlayName, string> = { local: 'default', production: 'bernstein', 'instance-2': 'bernstein-2' };
const PREFIX: Record<OverlayName, string> = { local: '', production: '', 'instance-2': 'b2-' };

const renders = new Map<string, K8sObject[]>();
let work: string;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'bernstein-least-privilege-'));
  for (const o of Object.keys(OVERLAY_NAMESPACES) as OverlayName[]) renders.set(o, (await renderOverlay(o)).objects);
  renders.set('instance-7', (await renderInstance(work, 7)).objects);
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

const containers = (w: Workload): Container[] => [...(w.pod.initContainers ?? []), ...w.pod.containers];

/** The Secrets a container reads: envFrom, secretKeyRef and secret volumes of its pod. */
function secretsRead(w: Workload, c: Container): string[] {
  const out = new Set<string>();
  for (const e of c.envFrom ?? []) if (e.secretRef?.name) out.add(e.secretRef.name);
  for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) out.add(e.valueFrom.secretKeyRef.name);
  const mounted = new Set((c.volumeMounts ?? []).map((m) => m.name));
  for (const v of w.pod.volumes ?? []) if (v.secret && mounted.has(v.name)) out.add(v.secret.secretName);
  return [...out];
}

/**
 * Secret name → the workloads (kind/name) whose containers read it. The canary's poll-canary
 * is poll (another version of it, which must share its cookie keys and Redis user).
 */
function readers(objects: readonly K8sObject[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const w of workloads(objects)) {
    const who = `${w.kind}/${w.name.replace(/-canary$/, '')}`;
    for (const s of new Set(containers(w).flatMap((c) => secretsRead(w, c)))) out.set(s, [...new Set([...(out.get(s) ?? []), who])]);
  }
  return out;
}

describe('least privilege in every overlay', () => {
  it('never starts Traefik with --api.insecure (every render)', () => {
    for (const [name, objects] of renders) {
      const args = workloads(objects).flatMap((w) => containers(w).flatMap((c) => [...(c.args ?? []), ...(c.command ?? [])]));
      assert.deepEqual(args.filter((a) => a.includes('api.insecure')), [], name);
    }
    const traefik = workloads(renders.get('local') ?? []).find((w) => w.name === 'traefik');
    const args = traefik?.pod.containers[0]?.args ?? [];
    // The dashboard stays on (NodePort 30042), behind the file provider's basic-auth router.
    assert.ok(args.includes('--api.dashboard=true') && args.includes('--providers.file.filename=/etc/traefik/dynamic/dashboard.yaml'));
    const dynamic = (get(renders.get('local') ?? [], 'ConfigMap', 'traefik-dashboard', 'kube-public') as unknown as { data: Record<string, string> }).data['dashboard.yaml'] ?? '';
    assert.match(dynamic, /service: api@internal\n\s+middlewares: \[dashboard-auth\]/);
    assert.match(dynamic, /basicAuth:\n\s+usersFile: \/etc\/traefik\/auth\/users/);
  });

  it('renders no committed Secret in instance-N; production renders none either', () => {
    for (const name of ['instance-2', 'instance-7', 'production']) assert.deepEqual(ofKind(renders.get(name) ?? [], 'Secret').map((s) => s.metadata.name), [], name);
    // local keeps the development database and Redis passwords, never a cookie key.
    assert.equal(find(renders.get('local') ?? [], 'Secret', 'poll'), undefined);
  });

  for (const overlay of Object.keys(OVERLAY_NAMESPACES) as OverlayName[]) {
    const namespace = OVERLAY_NAMESPACES[overlay];
    const p = PREFIX[overlay];
    const app = (name: string): Peer => ({ namespace, labels: { app: `${name}`, 'app.kubernetes.io/name': name } });
    const traefik: Peer = { namespace: 'kube-public', labels: { app: 'traefik', 'app.kubernetes.io/name': 'traefik' } };
    const prometheus: Peer = { namespace, labels: { app: 'prometheus', 'app.kubernetes.io/name': 'prometheus' } };
    const keda: Peer = { namespace: 'keda', labels: { app: 'keda-operator' } };

    it(`${overlay}: default deny in ${namespace}, then exactly the connections each workload needs`, () => {
      const objects = renders.get(overlay) ?? [];
      const deny = ofKind(objects, 'NetworkPolicy').find((np) => np.metadata.namespace === namespace && np.metadata.name === `${p}default-deny`);
      assert.ok(deny, `${overlay}: no default-deny`);
      assert.deepEqual((deny as unknown as { spec: unknown }).spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const allowed: [string, Peer, Peer, number, boolean][] = [
        ['traefik → poll:80', traefik, app('poll'), 80, true],
        ['traefik → result:80', traefik, app('result'), 80, true],
        ['traefik → poll:8080 (ops)', traefik, app('poll'), 8080, false],
        ['traefik → result:8080 (ops)', traefik, app('result'), 8080, false],
        ['poll → redis', app('poll'), app('redis'), 6379, true],
        ['poll → postgres', app('poll'), app('postgres'), 5432, false],
        ['worker → redis', app('worker'), app('redis'), 6379, true],
        ['worker → postgres', app('worker'), app('postgres'), 5432, true],
        ['result → postgres', app('result'), app('postgres'), 5432, true],
        ['result → redis', app('result'), app('redis'), 6379, false],
        ['migrate → postgres', app('migrate'), app('postgres'), 5432, true],
        ['migrate → redis', app('migrate'), app('redis'), 6379, false],
        ['backup → postgres', app('backup'), app('postgres'), 5432, true],
        ['a pod of another namespace → redis', { namespace: 'elsewhere', labels: { app: 'poll', 'app.kubernetes.io/name': 'poll' } }, app('redis'), 6379, false],
        ['KEDA → redis (no keda-worker component here)', keda, app('redis'), 6379, false],
      ];
      if (overlay === 'production') {
        allowed.push(
          ['prometheus → poll:8080', prometheus, app('poll'), 8080, true],
          ['prometheus → result:8080', prometheus, app('result'), 8080, true],
          ['prometheus → worker:8080', prometheus, app('worker'), 8080, true],
          ['prometheus → poll:80', prometheus, app('poll'), 80, false],
          ['prometheus → result:80', prometheus, app('result'), 80, false],
          ['prometheus → traefik:8080', prometheus, traefik, 8080, true],
          ["another namespace's prometheus → traefik:8080", { ...prometheus, namespace: 'monitoring' }, traefik, 8080, false],
        );
      }
      for (const [what, from, to, port, expected] of allowed) assert.equal(connectionAllowed(objects, from, to, port), expected, `${overlay}: ${what}`);
    });

    it(`${overlay}: every workload reads the credentials of its own Secrets, none the owner's or the superuser's`, () => {
      const objects = renders.get(overlay) ?? [];
      const byWorkload = new Map(workloads(objects).map((w) => [w.name, [...new Set(containers(w).flatMap((c) => secretsRead(w, c)))].sort()]));
      // Secrets an instance creates out of band keep the base's names (no prefix).
      assert.deepEqual(byWorkload.get(`${p}poll`), ['poll', 'redis-poll']);
      assert.deepEqual(byWorkload.get(`${p}worker`), ['postgres-worker', 'redis-worker']);
      assert.deepEqual(byWorkload.get(`${p}result`), ['postgres-result']);
      assert.deepEqual(byWorkload.get(`${p}redis`), ['redis-acl', 'redis-probe']);
      assert.deepEqual(byWorkload.get(`${p}postgres`), ['postgres']);
      assert.deepEqual(byWorkload.get(`${p}postgres-backup`), ['postgres-backup']);
      assert.deepEqual(byWorkload.get(`${p}migrate`), ['postgres', 'postgres-backup', 'postgres-owner', 'postgres-result', 'postgres-worker']);
      // migrate takes only the passwords of the roles it creates, not their user names.
      const migrate = workloads(objects).find((w) => w.name === `${p}migrate`)?.pod.containers[0];
      const refs = (migrate?.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [`${e.name}=${e.valueFrom.secretKeyRef.name}.${e.valueFrom.secretKeyRef.key}`] : []));
      assert.deepEqual(refs, [
        'POSTGRES_USER=postgres-owner.POSTGRES_USER',
        'POSTGRES_PASSWORD=postgres-owner.POSTGRES_PASSWORD',
        'POSTGRES_ADMIN_USER=postgres.POSTGRES_USER',
        'POSTGRES_ADMIN_PASSWORD=postgres.POSTGRES_PASSWORD',
        'POSTGRES_WORKER_PASSWORD=postgres-worker.POSTGRES_PASSWORD',
        'POSTGRES_RESULT_PASSWORD=postgres-result.POSTGRES_PASSWORD',
        'POSTGRES_BACKUP_PASSWORD=postgres-backup.POSTGRES_PASSWORD',
      ]);
      assert.deepEqual(migrate?.envFrom?.map((e) => e.secretRef?.name ?? e.configMapRef?.name), [`${p}postgres`], 'migrate: the ConfigMap only');
      // Each Secret but the server's (postgres + migrate's admin connection) and migrate's
      // role passwords has exactly one reader.
      for (const [secret, who] of readers(objects)) {
        if (secret === 'postgres' || secret.startsWith('postgres-') && secret !== 'postgres-owner') continue;
        assert.equal(who.length, 1, `${overlay}: Secret ${secret} read by ${who.join(', ')}`);
      }
    });

    it(`${overlay}: Redis loads its ACL file read-only; poll, result and worker are probed on the ops port`, () => {
      const objects = renders.get(overlay) ?? [];
      const redis = workloads(objects).find((w) => w.name === `${p}redis`);
      const c = redis?.pod.containers[0];
      const args = c?.args ?? [];
      assert.equal(args[args.indexOf('--aclfile') + 1], '/etc/redis/users.acl');
      assert.deepEqual(c?.volumeMounts?.find((m) => m.mountPath === '/etc/redis'), { name: 'acl', mountPath: '/etc/redis', readOnly: true });
      assert.deepEqual(redis?.pod.volumes?.find((v) => v.name === 'acl')?.secret, { secretName: 'redis-acl', defaultMode: 0o440 });
      for (const probe of [c?.readinessProbe, c?.livenessProbe]) {
        assert.match(probe?.exec?.command.join(' ') ?? '', /REDISCLI_AUTH="\$REDIS_PASSWORD" redis-cli --user "\$REDIS_USERNAME" ping/);
      }
      for (const name of ['poll', 'result', 'worker', 'poll-canary']) {
        const w = workloads(objects).find((x) => x.name === `${p}${name}`);
        if (!w) continue;
        const main = w.pod.containers[0];
        assert.equal(main?.ports?.find((x) => x.name === 'ops')?.containerPort, 8080, name);
        assert.deepEqual([main?.readinessProbe?.httpGet?.port, main?.livenessProbe?.httpGet?.port], ['ops', 'ops'], name);
      }
    });
  }

  it('production: Traefik rate-limits and caps requests in flight on the poll and result routes', () => {
    const objects = renders.get('production') ?? [];
    const middleware = (name: string) => (get(objects, 'Middleware', name, 'bernstein') as unknown as { spec: unknown }).spec;
    for (const app of ['poll', 'result']) {
      assert.deepEqual(middleware(`${app}-rate`), { rateLimit: { average: 50, burst: 100, period: '1s' } });
      assert.equal(
        get(objects, 'Ingress', app).metadata.annotations?.['traefik.ingress.kubernetes.io/router.middlewares'],
        `bernstein-${app}-rate@kubernetescrd,bernstein-${app}-inflight@kubernetescrd`,
      );
    }
    // Per client address: inFlightReq's default source is the request host (one budget for the site).
    const perClient = { ipStrategy: { depth: 0 } };
    assert.deepEqual([middleware('poll-inflight'), middleware('result-inflight')], [
      { inFlightReq: { amount: 20, sourceCriterion: perClient } },
      { inFlightReq: { amount: 200, sourceCriterion: perClient } },
    ]);
    const route = (get(objects, 'IngressRoute', 'poll-weighted') as unknown as { spec: { routes: { middlewares?: { name: string }[] }[] } }).spec.routes[0];
    assert.deepEqual(route?.middlewares, [{ name: 'poll-rate' }, { name: 'poll-inflight' }]);
  });

  it("the base's committed ACL file starts with the exact default line and holds each Redis user's password hash", () => {
    const objects = renders.get('local') ?? [];
    const decode = (name: string, key: string) =>
      Buffer.from((get(objects, 'Secret', name) as unknown as { data: Record<string, string> }).data[key] ?? '', 'base64').toString('utf8');
    const lines = decode('redis-acl', 'users.acl').trimEnd().split('\n');
    // Redis replays the AOF as the default user: off, but with every permission (redis/redis#14541).
    assert.equal(lines[0], 'user default off resetpass ~* &* +@all');
    assert.equal(lines[0], DEFAULT_USER);
    assert.deepEqual(lines.slice(1).map((l) => l.split(' ')[1]), ['poll', 'worker', 'probe', 'scaler']);
    for (const user of ['poll', 'worker', 'probe', 'scaler']) {
      assert.equal(decode(`redis-${user}`, 'REDIS_USERNAME'), user);
      const line = lines.find((l) => l.startsWith(`user ${user} on `)) ?? '';
      assert.ok(line.includes(` ${aclPasswordHash(decode(`redis-${user}`, 'REDIS_PASSWORD'))} `), `${user}: the ACL hash matches its Secret`);
      assert.ok(!line.includes(decode(`redis-${user}`, 'REDIS_PASSWORD')), `${user}: no clear-text password in the ACL file`);
    }
  });

  it('instance-N: its namespace holds its own policies; the shared Traefik reads its Secrets through a RoleBinding there', () => {
    const objects = renders.get('instance-7') ?? [];
    const i = instance(7);
    assert.ok(ofKind(objects, 'NetworkPolicy').every((np) => np.metadata.namespace === i.namespace));
    assert.ok(find(objects, 'NetworkPolicy', `${i.namePrefix}default-deny`, i.namespace));
    const binding = get(objects, 'RoleBinding', `${i.namePrefix}traefik-secrets`, i.namespace) as unknown as { roleRef: { name: string }; subjects: { namespace: string; name: string }[] };
    assert.equal(binding.roleRef.name, 'traefik-secrets');
    assert.deepEqual(binding.subjects.map((s) => `${s.namespace}/${s.name}`), ['kube-public/traefik']);
    assert.equal(find(objects, 'ClusterRole', 'traefik-secrets'), undefined, 'the first installation brings it');
  });
});
