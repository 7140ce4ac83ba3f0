/**
 * A smoke test of the whole flow in containers, with the images images.test.ts builds
 * (deploy/containers/ci-setup.sh builds them first on CI): Redis and PostgreSQL stand-ins +
 * migrate + poll + worker ×2 + result on one podman network; votes survive podman stop.
 * Skipped (with the reason) where podman is unusable, unless CI is set: then it fails.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { eventually, freePort, podman, podmanAvailability, podmanOk, repoRoot } from './podman.js';

const version = (JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { version: string }).version;
const image = (s: string) => `localhost/bernstein/${s}:${version}`;
const availability = await podmanAvailability();
const skip = availability.ok ? false : availability.reason;

/** The image names compose.yaml gives Redis and PostgreSQL; stand-ins.sh tags its stand-ins so. */
function composeImage(service: string): string {
  const text = readFileSync(`${repoRoot}deploy/compose.yaml`, 'utf8');
  const m = new RegExp(`^\\s*image:\\s*(${service}:\\S+)\\s*$`, 'm').exec(text);
  assert.ok(m?.[1], `compose.yaml names no ${service} image`);
  return m[1];
}

describe('smoke test on one podman network', { skip, concurrency: false }, () => {
  const id = `bernstein-ci-${randomBytes(3).toString('hex')}`;
  const network = id;
  const pgPassword = randomBytes(12).toString('hex');
  const pgEnv = ['POSTGRES_HOST=' + `${id}-postgres`, 'POSTGRES_DB=bernstein', 'POSTGRES_USER=bernstein', `POSTGRES_PASSWORD=${pgPassword}`];
  const redisEnv = [`REDIS_HOST=${id}-redis`];
  const env = (vars: string[]) => vars.flatMap((v) => ['-e', v]);
  // The hardening the Kubernetes manifests apply: read-only root, no capabilities, no privilege escalation.
  const common = ['--network', network, '-e', 'LOG_LEVEL=warn', '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
  // poll and result keep their default port 80, as non-root (docs/adr/0001-port-80-as-non-root.md).
  const port80 = ['--sysctl', 'net.ipv4.ip_unprivileged_port_start=0'];
  let pollUrl = '';
  let resultUrl = '';
  let pollId = '';
  let optionId = '';
  let acked = 0;

  before(async () => {
    for (const s of ['poll', 'worker', 'result']) {
      const r = await podman(['image', 'exists', image(s)]);
      assert.equal(r.code, 0, `${image(s)} is missing: run deploy/containers/ci-setup.sh (or build-images.sh) first`);
    }
    await podmanOk(['network', 'create', network]);
  });

  after(async () => {
    const names = ['redis', 'postgres', 'migrate', 'poll', 'worker-1', 'worker-2', 'result'].map((n) => `${id}-${n}`);
    await podman(['rm', '--force', '--volumes', '--time', '0', ...names]);
    await podman(['network', 'rm', '--force', network]);
  });

  test('redis and postgres stand-ins start, and the migration (worker image) exits 0', async () => {
    await podmanOk(['run', '-d', '--name', `${id}-redis`, '--network', network, composeImage('redis'),
      'redis-server', '--appendonly', 'yes', '--appendfsync', 'always']);
    await podmanOk(['run', '-d', '--name', `${id}-postgres`, '--network', network,
      ...env(['POSTGRES_DB=bernstein', 'POSTGRES_USER=bernstein', `POSTGRES_PASSWORD=${pgPassword}`]), composeImage('postgres')]);
    await eventually('postgres to accept connections', async () => {
      const r = await podman(['exec', `${id}-postgres`, 'pg_isready', '-h', '127.0.0.1', '-U', 'bernstein', '-d', 'bernstein']);
      return r.code === 0 ? true : undefined;
    }, 60_000);
    const m = await podman(['run', '--name', `${id}-migrate`, ...common, ...env(pgEnv), image('worker'), 'node', 'dist/migrate.js']);
    assert.equal(m.code, 0, `migrate exited ${m.code}: ${m.stdout}${m.stderr}`);
  });

  test('poll, two workers and result start as non-root and become ready', async () => {
    const pollPort = await freePort();
    const resultPort = await freePort();
    // /readyz is on the ops port (OPS_PORT, 8080), not on the public port 80.
    const pollOpsPort = await freePort();
    const resultOpsPort = await freePort();
    const cookieSecret = randomBytes(24).toString('hex');
    await podmanOk(['run', '-d', '--name', `${id}-poll`, ...common, ...port80, '-p', `127.0.0.1:${pollPort}:80`, '-p', `127.0.0.1:${pollOpsPort}:8080`,
      ...env([...redisEnv, `COOKIE_SECRET=${cookieSecret}`]), image('poll')]);
    for (const n of [1, 2]) {
      await podmanOk(['run', '-d', '--name', `${id}-worker-${n}`, '--hostname', `worker-${n}`, ...common,
        ...env([...redisEnv, ...pgEnv, 'CLAIM_IDLE_MS=2000', 'BLOCK_MS=200']), image('worker')]);
    }
    await podmanOk(['run', '-d', '--name', `${id}-result`, ...common, ...port80, '-p', `127.0.0.1:${resultPort}:80`, '-p', `127.0.0.1:${resultOpsPort}:8080`,
      ...env(pgEnv), image('result')]);
    pollUrl = `http://127.0.0.1:${pollPort}`;
    resultUrl = `http://127.0.0.1:${resultPort}`;

    for (const url of [`http://127.0.0.1:${pollOpsPort}`, `http://127.0.0.1:${resultOpsPort}`]) {
      await eventually(`${url}/readyz`, async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), 60_000);
    }
    for (const n of ['poll', 'worker-1', 'worker-2', 'result']) {
      // The image's own HEALTHCHECK command (podman runs it on demand: no systemd timers here).
      await eventually(`${n} healthy`, async () => ((await podman(['healthcheck', 'run', `${id}-${n}`])).code === 0 ? true : undefined), 30_000);
      const uid = await podmanOk(['exec', `${id}-${n}`, 'id', '-u']);
      assert.notEqual(uid, '0', `${n} runs as root`);
      assert.equal(uid, '1000', `${n} runs as node (1000)`);
    }
  });

  test('a vote posted to the poll container appears in the result container', async () => {
    const polls = (await (await fetch(`${pollUrl}/api/polls`)).json()) as { polls: { id: string; options: { id: string }[] }[] };
    const poll = polls.polls[0];
    assert.ok(poll?.options[0], 'poll serves at least one poll with an option');
    assert.match(poll.id, /^[\w-]+$/, 'poll id is safe to put in SQL below');
    pollId = poll.id;
    optionId = poll.options[0].id;
    const res = await vote();
    assert.equal(res, 202);
    acked = 1;
    const results = await eventually('the vote in the results', async () => {
      const r = (await (await fetch(`${resultUrl}/api/polls/${pollId}/results`)).json()) as {
        total: number;
        options: { id: string; votes: number }[];
      };
      return r.total === 1 ? r : undefined;
    }, 30_000);
    assert.equal(results.options.find((o) => o.id === optionId)?.votes, 1);
  });

  async function vote(): Promise<number> {
    // No cookie: every request is a new voter, so every acknowledged vote is one row.
    const r = await fetch(`${pollUrl}/api/polls/${pollId}/votes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ option: optionId }),
    });
    await r.arrayBuffer();
    return r.status;
  }

  /** podman stop (SIGTERM, SIGKILL only after 10 s): how long it took and the exit code. */
  async function stop(name: string): Promise<{ ms: number; exitCode: number }> {
    const start = Date.now();
    await podmanOk(['stop', '--time', '10', `${id}-${name}`], 30_000);
    const ms = Date.now() - start;
    const exitCode = Number(await podmanOk(['inspect', '--format', '{{.State.ExitCode}}', `${id}-${name}`]));
    return { ms, exitCode };
  }

  test('podman stop (SIGTERM) ends each container within 5 s with exit 0, losing no acknowledged vote', async () => {
    // Votes keep arriving while a worker and then poll itself are stopped.
    let voting = true;
    const loop = (async () => {
      while (voting) {
        try {
          if ((await vote()) === 202) acked += 1;
        } catch {
          await new Promise((r) => setTimeout(r, 50)); // poll is gone: refused connections
        }
      }
    })();
    const stops: Record<string, { ms: number; exitCode: number }> = {};
    try {
      await new Promise((r) => setTimeout(r, 1500));
      stops['worker-1'] = await stop('worker-1');
      await new Promise((r) => setTimeout(r, 1000));
      stops['poll'] = await stop('poll');
    } finally {
      voting = false;
      await loop;
    }
    assert.ok(acked > 1, 'votes were acknowledged while stopping');

    // Every acknowledged vote reaches PostgreSQL (worker-2 carries on, claiming what is pending).
    const count = () =>
      podmanOk(['exec', `${id}-postgres`, 'psql', '-U', 'bernstein', '-d', 'bernstein', '-tAc',
        `select count(*) from votes where poll = '${pollId}'`], 30_000).then(Number);
    await eventually(`${acked} votes in PostgreSQL`, async () => ((await count()) >= acked ? true : undefined), 30_000);
    assert.equal(await count(), acked, 'each acknowledged vote counted exactly once');
    const results = (await (await fetch(`${resultUrl}/api/polls/${pollId}/results`)).json()) as { total: number };
    assert.equal(results.total, acked);

    stops['worker-2'] = await stop('worker-2');
    stops['result'] = await stop('result');
    console.log(`stop times (ms): ${JSON.stringify(stops)}; acknowledged votes: ${acked}`);
    for (const [name, s] of Object.entries(stops)) {
      assert.equal(s.exitCode, 0, `${name} exit code`);
      assert.ok(s.ms < 5000, `${name} took ${s.ms} ms to stop`);
    }
  });
});

if (skip) console.log(`# container tests skipped: ${skip}`);
