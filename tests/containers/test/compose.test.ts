/**
 * deploy/compose.yaml: parses, and has the structure the system needs (no Docker engine is
 * required for this file; the podman run of its subset is in compose-run.test.ts).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { repoRoot } from './podman.js';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  pull_policy?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  env_file?: unknown;
  ports?: string[];
  networks?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test?: string[]; disable?: boolean };
  labels?: Record<string, string>;
  sysctls?: string[];
  restart?: string;
  user?: string;
}
interface Compose {
  services: Record<string, Service>;
  networks: Record<string, { name?: string; internal?: boolean }>;
  volumes: Record<string, unknown>;
}

const text = readFileSync(`${repoRoot}deploy/compose.yaml`, 'utf8');
// Merge keys (<<) as compose reads them.
const compose = parse(text, { merge: true }) as Compose;
const svc = (name: string): Service => {
  const s = compose.services[name];
  assert.ok(s, `service ${name} exists`);
  return s;
};
const APPS = ['poll', 'worker', 'result'] as const;

describe('deploy/compose.yaml', () => {
  test('has exactly the services of the system', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [
      'cadvisor', 'migrate', 'poll', 'postgres', 'redis', 'redis-acl', 'result', 'traefik', 'worker',
    ]);
  });

  test('every image is pinned to an exact version', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      assert.ok(s.image, `${name} names its image`);
      assert.match(s.image, /:v?\d+\.\d+(\.\d+)?(-[\w.]+)?$/, `${name}: ${s.image} is not pinned to an exact version`);
    }
  });

  test("our apps are built from the root Dockerfile's targets; migrate reuses the worker image", () => {
    for (const a of APPS) {
      assert.deepEqual(svc(a).build, { context: '..', target: a });
    }
    for (const n of [...APPS, 'migrate']) assert.equal(svc(n).pull_policy, 'build', `${n} is built, never pulled`);
    assert.equal(svc('migrate').image, svc('worker').image);
    assert.deepEqual(svc('migrate').command, ['node', 'dist/migrate.js']);
    assert.equal(svc('migrate').restart, 'no', 'migrate is a one-shot');
  });

  test('two replicas of poll, worker and result', () => {
    for (const a of APPS) assert.equal(svc(a).deploy?.replicas, 2, `${a} replicas`);
  });

  test('redis is append-only (fsync before every reply) on a named volume; postgres keeps its data on a named volume', () => {
    const redis = svc('redis');
    assert.deepEqual(redis.command, ['redis-server', '--appendonly', 'yes', '--appendfsync', 'always', '--aclfile', '/etc/redis/acl/users.acl']);
    assert.deepEqual(redis.volumes, ['redis-data:/data', 'redis-acl:/etc/redis/acl:ro']);
    // The ACL file is rendered by the worker image's tool before Redis starts.
    assert.deepEqual(svc('redis-acl').command, ['sh', '-c', 'umask 022 && node dist/redis-acl.js > /acl/users.acl']);
    assert.deepEqual(redis.depends_on, { 'redis-acl': { condition: 'service_completed_successfully' } });
    // With ACLs on, an anonymous `redis-cli ping` fails: the health check is the user probe's.
    assert.deepEqual(redis.healthcheck?.test, ['CMD-SHELL', 'REDISCLI_AUTH="$$REDIS_PROBE_PASSWORD" redis-cli --user probe ping | grep -q PONG']);
    assert.deepEqual(svc('postgres').volumes, ['postgres-data:/var/lib/postgresql/data']);
    assert.ok('redis-data' in compose.volumes && 'postgres-data' in compose.volumes);
  });

  test('no password or secret is written in the file: they come from the environment (.env)', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|SECRET/.test(key)) {
          assert.match(String(value), /^\$\{[A-Z_]+:\?[^}]+\}$/, `${name}.${key} must be \${VAR:?message}, not a value`);
        }
      }
    }
    assert.doesNotMatch(text, /replace-me/, 'the example values stay in compose.env.example');
    const example = readFileSync(`${repoRoot}deploy/compose.env.example`, 'utf8');
    for (const v of ['POSTGRES_ADMIN_PASSWORD', 'POSTGRES_OWNER_PASSWORD', 'POSTGRES_WORKER_PASSWORD', 'POSTGRES_RESULT_PASSWORD', 'REDIS_POLL_PASSWORD', 'REDIS_WORKER_PASSWORD', 'REDIS_PROBE_PASSWORD', 'COOKIE_SECRETS', 'ADMIN_TOKEN', 'DASHBOARD_USERS']) {
      // Empty: nothing to leave in place by mistake; `up` names the first one missing.
      assert.match(example, new RegExp(`^${v}=$`, 'm'), v);
      assert.match(text, new RegExp(`\\$\\{${v}:\\?`), `${v} is required by compose.yaml`);
    }
  });

  test('the apps get the variables they read (course names)', () => {
    const env = (n: string) => Object.keys(svc(n).environment ?? {});
    const pg = ['POSTGRES_HOST', 'POSTGRES_PORT', 'POSTGRES_DB', 'POSTGRES_USER', 'POSTGRES_PASSWORD'];
    for (const v of ['REDIS_HOST', 'REDIS_USERNAME', 'REDIS_PASSWORD', 'COOKIE_SECRETS', 'ADMIN_TOKEN', 'TRUSTED_PROXIES']) assert.ok(env('poll').includes(v), `poll: ${v}`);
    assert.ok(env('worker').includes('REDIS_USERNAME') && env('worker').includes('REDIS_PASSWORD'));
    assert.ok(env('result').includes('TRUSTED_PROXIES'));
    // Each its own role and user: no service connects as the superuser or the owner.
    const value = (n: string, v: string) => String(svc(n).environment?.[v] ?? '');
    assert.deepEqual(['postgres', 'migrate', 'worker', 'result'].map((n) => value(n, 'POSTGRES_USER')), ['postgres', 'bernstein', 'worker', 'result']);
    assert.deepEqual(['poll', 'worker'].map((n) => value(n, 'REDIS_USERNAME')), ['poll', 'worker']);
    assert.match(value('migrate', 'POSTGRES_ADMIN_PASSWORD'), /^\$\{POSTGRES_ADMIN_PASSWORD:\?/);
    assert.match(value('worker', 'POSTGRES_PASSWORD'), /^\$\{POSTGRES_WORKER_PASSWORD:\?/);
    assert.match(value('result', 'POSTGRES_PASSWORD'), /^\$\{POSTGRES_RESULT_PASSWORD:\?/);
    for (const v of ['REDIS_HOST', ...pg]) assert.ok(env('worker').includes(v), `worker: ${v}`);
    for (const v of pg) assert.ok(env('result').includes(v), `result: ${v}`);
    for (const v of pg) assert.ok(env('migrate').includes(v), `migrate: ${v}`);
    assert.ok(!env('poll').includes('POSTGRES_PASSWORD'), 'poll does not get the database password');
  });

  test('health checks gate depends_on, and the apps wait for the migration to complete', () => {
    for (const name of ['redis', 'postgres', 'traefik']) {
      assert.ok(svc(name).healthcheck?.test?.length, `${name} has a health check`);
    }
    const deps = (n: string) => svc(n).depends_on ?? {};
    assert.deepEqual(deps('migrate'), { postgres: { condition: 'service_healthy' } });
    for (const a of APPS) {
      assert.deepEqual(deps(a).migrate, { condition: 'service_completed_successfully' }, `${a} waits for migrate`);
      for (const [dep, d] of Object.entries(deps(a))) {
        if (dep !== 'migrate') assert.equal(d.condition, 'service_healthy', `${a} → ${dep}`);
      }
    }
    assert.ok('redis' in deps('poll') && 'redis' in deps('worker') && 'postgres' in deps('worker') && 'postgres' in deps('result'));
    assert.deepEqual(Object.keys(deps('traefik')).sort(), ['poll', 'result']);
  });

  test('networks: Redis and PostgreSQL only with the services that use them; only Traefik publishes ports', () => {
    assert.equal(compose.networks.redis?.internal, true, 'redis is internal');
    assert.equal(compose.networks.db?.internal, true, 'db is internal');
    const nets = (n: string) => [...(svc(n).networks ?? [])].sort();
    assert.deepEqual(nets('traefik'), ['front']);
    assert.deepEqual(nets('cadvisor'), ['front']);
    assert.deepEqual(nets('poll'), ['front', 'redis']);
    // result never uses Redis: it is not on its network.
    assert.deepEqual(nets('result'), ['db', 'front']);
    assert.deepEqual(nets('worker'), ['db', 'redis']);
    assert.deepEqual(nets('redis'), ['redis']);
    for (const n of ['postgres', 'migrate']) assert.deepEqual(nets(n), ['db'], n);
    assert.deepEqual(nets('redis-acl'), ['redis']);
    for (const [name, s] of Object.entries(compose.services)) {
      if (name !== 'traefik') assert.equal(s.ports, undefined, `${name} publishes no port`);
    }
    assert.deepEqual(svc('traefik').ports, ['${BERNSTEIN_HTTP_PORT:-80}:80']);
  });

  test('Traefik load-balances poll.localhost and result.localhost (docker labels), with dashboard and cAdvisor routes', () => {
    const cmd = (svc('traefik') as Service & { command: string[] }).command;
    for (const flag of ['--providers.docker=true', '--providers.docker.exposedbydefault=false', '--api.dashboard=true', '--ping=true']) {
      assert.ok(cmd.includes(flag), `traefik ${flag}`);
    }
    assert.ok(cmd.includes(`--providers.docker.network=${compose.networks.front?.name ?? ''}`), 'traefik uses the front network');
    for (const [service, host] of [['poll', 'poll.localhost'], ['result', 'result.localhost'], ['cadvisor', 'cadvisor.localhost'], ['traefik', 'traefik.localhost']] as const) {
      const labels = svc(service).labels ?? {};
      assert.equal(labels['traefik.enable'], 'true', `${service} enabled`);
      assert.ok(Object.values(labels).includes(`Host(\`${host}\`)`), `${service} routed by ${host}`);
    }
    for (const a of ['poll', 'result']) {
      const labels = svc(a).labels ?? {};
      assert.equal(labels[`traefik.http.services.${a}.loadbalancer.server.port`], '80');
      assert.equal(labels[`traefik.http.services.${a}.loadbalancer.healthcheck.path`], '/readyz');
      // /readyz is on the ops port (OPS_PORT 8080), not on port 80.
      assert.equal(labels[`traefik.http.services.${a}.loadbalancer.healthcheck.port`], '8080');
      // Traefik's rate and in-flight limits in front of each app.
      assert.equal(labels[`traefik.http.routers.${a}.middlewares`], `${a}-rate,${a}-inflight`);
      assert.ok(labels[`traefik.http.middlewares.${a}-rate.ratelimit.average`], a);
      assert.ok(labels[`traefik.http.middlewares.${a}-inflight.inflightreq.amount`], a);
      assert.equal(labels[`traefik.http.middlewares.${a}-inflight.inflightreq.sourcecriterion.ipstrategy.depth`], '0', `${a}: in flight per client address`);
    }
    const traefik = svc('traefik').labels ?? {};
    assert.equal(traefik['traefik.http.routers.dashboard.service'], 'api@internal');
    // The dashboard and cAdvisor only behind basic auth, its users from the env file.
    assert.equal(traefik['traefik.http.routers.dashboard.middlewares'], 'ops-auth');
    assert.match(traefik['traefik.http.middlewares.ops-auth.basicauth.users'] ?? '', /^\$\{DASHBOARD_USERS:\?/);
    assert.equal(svc('cadvisor').labels?.['traefik.http.routers.cadvisor.middlewares'], 'ops-auth@docker');
    assert.ok(!cmd.some((f) => f.startsWith('--api.insecure')), 'no insecure API');
    assert.deepEqual(svc('traefik').volumes, ['/var/run/docker.sock:/var/run/docker.sock:ro']);
  });

  test('poll and result listen on port 80 as non-root through the netns sysctl (ADR 0001)', () => {
    for (const a of ['poll', 'result']) {
      // List form: podman-compose 1.0 mishandles the map form.
      assert.deepEqual(svc(a).sysctls, ['net.ipv4.ip_unprivileged_port_start=0'], a);
      assert.equal(svc(a).user, undefined, `${a} keeps the image's USER node`);
    }
  });

  test('cAdvisor mounts the five standard read-only host paths', () => {
    assert.deepEqual(svc('cadvisor').volumes, [
      '/:/rootfs:ro', '/var/run:/var/run:ro', '/sys:/sys:ro', '/var/lib/docker/:/var/lib/docker:ro', '/dev/disk/:/dev/disk:ro',
    ]);
  });

  test('bernstein check finds nothing in compose.yaml and the Dockerfile', async () => {
    const files = ['deploy/compose.yaml', 'Dockerfile'];
    const out = await new Promise<{ code: number; output: string }>((resolve) => {
      // The runner's NODE_OPTIONS (source condition + tsx) lets the checker run from its sources.
      execFile(process.execPath, [`${repoRoot}packages/check/src/bin.ts`, ...files], { cwd: repoRoot }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, output: stdout + stderr });
      });
    });
    assert.equal(out.code, 0, out.output);
  });
});
