/**
 * The local run is least-privilege like a deployment: each service connects to Redis as its
 * own ACL user and to PostgreSQL as its own role, with passwords kept in the data directory;
 * and with TLS on for both servers the whole pipeline still counts a vote.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadOrCreateCredentials } from '../src/credentials.js';
import { LocalStack } from '../src/stack.js';

describe('credentials of the local run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bernstein-credentials-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are generated once, kept with mode 0600, and completed when a user is missing', () => {
    const first = loadOrCreateCredentials(dir);
    const file = join(dir, 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(Object.keys(first.redis), ['admin', 'poll', 'worker', 'probe', 'scaler']);
    assert.deepEqual(Object.keys(first.postgres), ['admin', 'owner', 'worker', 'result', 'backup']);
    assert.ok(Object.values({ ...first.redis, ...first.postgres }).every((p) => /^[A-Za-z0-9_-]{32}$/.test(p)));
    assert.deepEqual(loadOrCreateCredentials(dir), first, 'the same passwords on the next run');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { redis: Record<string, string> };
    delete stored.redis.probe;
    writeFileSync(file, JSON.stringify(stored), { mode: 0o644 });
    const completed = loadOrCreateCredentials(dir);
    assert.equal(completed.redis.poll, first.redis.poll);
    assert.notEqual(completed.redis.probe, first.redis.probe);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});

describe('local run, least privilege and TLS', () => {
  let stack: LocalStack | undefined;
  const lines: string[] = [];
  after(async () => {
    await stack?.stop();
    if (stack) rmSync(stack.dataDir, { recursive: true, force: true });
  });

  it('counts a vote over TLS, each service connected as its own Redis user and PostgreSQL role', async () => {
    stack = await LocalStack.start({
      env: { PATH: process.env.PATH, NODE_OPTIONS: process.env.NODE_OPTIONS, LOG_LEVEL: 'warn' },
      pollPort: 0,
      resultPort: 0,
      workerPort: 0,
      fromSource: true,
      durable: false,
      tls: true,
      output: (name, line) => void lines.push(`${name} | ${line}`),
      onUnexpectedExit: (name, state) => void lines.push(`UNEXPECTED EXIT ${name} ${JSON.stringify(state)}`),
    });
    const poll = stack.pollUrls[0] as string;
    const res = await fetch(`${poll}/api/polls/default/votes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ option: 'c' }),
    }).catch((err: unknown) => {
      throw new Error(`poll did not answer: ${(err as Error).message}\n${lines.slice(-40).join('\n')}`, { cause: err });
    });
    assert.equal(res.status, 202, await res.text());
    const deadline = Date.now() + 15_000;
    let total = 0;
    while (total !== 1 && Date.now() < deadline) {
      total = ((await (await fetch(`${stack.resultUrl}/api/polls/default/results`)).json()) as { total: number }).total;
      if (total !== 1) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(total, 1, lines.slice(-40).join('\n'));

    // Who is connected, as the servers see it.
    const re = stack.redisEnv;
    const admin = new Redis({ host: re.REDIS_HOST, port: Number(re.REDIS_PORT), username: re.REDIS_USERNAME, password: re.REDIS_PASSWORD, tls: { ca: readFileSync(re.REDIS_TLS_CA as string) } });
    try {
      const clients = (await admin.client('LIST')) as string;
      const users = [...new Set([...clients.matchAll(/ user=(\S+)/g)].map((m) => m[1]))].sort();
      assert.deepEqual(users, ['admin', 'poll', 'worker'], 'this inspector, poll and the worker; nobody as the default user');
    } finally {
      admin.disconnect();
    }
    const anonymous = new Redis({ host: re.REDIS_HOST, port: Number(re.REDIS_PORT), tls: { ca: readFileSync(re.REDIS_TLS_CA as string) }, maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: false });
    anonymous.on('error', () => undefined);
    try {
      await assert.rejects(anonymous.ping(), /NOAUTH Authentication required/);
    } finally {
      anonymous.disconnect();
    }

    assert.equal(stack.postgresEnv.POSTGRES_SSLMODE, 'verify-full');
    const pe = stack.postgres?.envFor('admin') ?? {};
    const db = new pg.Client({
      host: pe.POSTGRES_HOST,
      port: Number(pe.POSTGRES_PORT),
      user: pe.POSTGRES_USER,
      password: pe.POSTGRES_PASSWORD,
      database: pe.POSTGRES_DB,
      ssl: { ca: readFileSync(pe.POSTGRES_SSL_CA as string, 'utf8') },
    });
    await db.connect();
    try {
      const { rows } = await db.query<{ usename: string; ssl: boolean }>(
        `SELECT DISTINCT a.usename, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid
          WHERE a.datname = current_database() AND a.application_name LIKE 'bernstein-%' ORDER BY a.usename`,
      );
      assert.deepEqual(rows, [
        { usename: 'result', ssl: true },
        { usename: 'worker', ssl: true },
      ]);
    } finally {
      await db.end();
    }
    assert.equal(statSync(join(stack.dataDir, 'credentials.json')).mode & 0o777, 0o600);
    assert.ok(!lines.some((l) => /more rights than (worker|result) needs|REDIS_USERNAME is not set/.test(l)), 'no service warns about its rights');
  });
});
