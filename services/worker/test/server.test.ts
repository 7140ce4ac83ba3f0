/**
 * The worker as a process: configuration errors, ops endpoints, waiting for PostgreSQL at
 * start, SIGTERM with a batch in flight, and kill -9 in the middle of a batch. Least
 * privilege on, as deployed: the worker connects as its own Redis ACL user and PostgreSQL
 * role; the test inspects as the admin.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { Database, loadConfig, postgresVars, Redis, setUpDatabase } from '@bernstein/common';
import { configRefusal } from '@bernstein/common/testing';
import { freePort, PostgresServer, RedisServer } from '@bernstein/local';
import { addVotes, assertExactTallies, drained, expectedTallies, makeVotes, readTallies, silent, sorted, until } from './helpers.js';
import { Child, SERVER } from './process-helpers.js';

describe('worker process: configuration', () => {
  it('exits 78 with one fatal line naming every bad variable', async () => {
    const msg = await configRefusal(new Child(SERVER, { BATCH_SIZE: 'lots', POSTGRES_HOST: 'db', POSTGRES_DB: 'x', POSTGRES_USER: 'u', POSTGRES_PASSWORD: 'p' }));
    assert.match(msg, /REDIS_HOST is required/);
    assert.match(msg, /BATCH_SIZE is invalid/);
    assert.doesNotMatch(msg, /POSTGRES_HOST/);
  });
});

describe('worker process', () => {
  let redisServer: RedisServer;
  let pgServer: PostgresServer;
  let redis: Redis;
  let db: Database;
  let holder: pg.Client | undefined;
  const children: Child[] = [];
  // One stream, emptied before each test: the ACL users are granted exactly this key.
  const stream = 'votes';

  before(async () => {
    [redisServer, pgServer] = await Promise.all([RedisServer.start({ acl: true }), PostgresServer.start({ durable: false, roles: true })]);
    redis = new Redis(redisServer.clientOptions('admin'));
    db = new Database(loadConfig(postgresVars, pgServer.env), silent, 'test');
  });
  after(async () => {
    redis?.disconnect();
    await db?.close();
    await Promise.all([redisServer?.stop(), pgServer?.stop()]);
  });
  beforeEach(async () => {
    await redis.del(stream, `${stream}:dead`);
    // The migrate step: roles, migrations as the owner, grants.
    await setUpDatabase(pgServer.setupConfig(), silent);
    await db.query('TRUNCATE votes, tallies');
  });
  afterEach(async () => {
    await holder?.end().catch(() => undefined);
    holder = undefined;
    await Promise.all(children.splice(0).map((c) => c.dispose()));
  });

  async function startWorker(name: string, extra: Record<string, string> = {}): Promise<{ child: Child; url: string }> {
    const port = await freePort();
    const child = new Child(SERVER, {
      ...redisServer.envFor('worker'),
      ...pgServer.envFor('worker'),
      HOST: '127.0.0.1',
      PORT: String(port),
      WORKER_NAME: name,
      VOTES_STREAM: stream,
      BLOCK_MS: '200',
      LOG_LEVEL: 'info',
      ...extra,
    });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await until('worker listening', async () => {
      if (!child.running) throw new Error(`worker exited: ${child.stderr}${child.stdout}`);
      return (await fetch(`${url}/healthz`)).ok;
    }, 30_000);
    return { child, url };
  }

  /** Holds an EXCLUSIVE lock on tallies, so the worker's next batch blocks inside its statement. */
  async function lockTallies(): Promise<pg.Client> {
    const c = new pg.Client(pgServer.connection);
    await c.connect();
    await c.query('BEGIN');
    await c.query('LOCK TABLE tallies IN EXCLUSIVE MODE');
    holder = c;
    return c;
  }

  async function workerBlockedOnLock(name: string): Promise<boolean> {
    const { rows } = await db.query(
      "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
      [`bernstein-worker ${name}`],
    );
    return rows.length > 0;
  }

  async function pendingOf(consumer: string): Promise<number> {
    const summary = (await redis.xpending(stream, 'workers')) as [number, string, string, [string, string][] | null];
    return Number(summary[3]?.find(([c]) => c === consumer)?.[1] ?? 0);
  }

  async function metric(url: string, name: string): Promise<number> {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return Number(line?.split(' ').at(-1) ?? NaN);
  }

  it('waits for PostgreSQL and for the migrate step, serves ops endpoints, and drains the stream', async () => {
    await db.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await pgServer.stop();
    try {
      const added = await addVotes(redis, stream, makeVotes(3000, 800));
      const { child, url } = await startWorker('w-ready');
      assert.equal((await fetch(`${url}/healthz`)).status, 200, 'alive while PostgreSQL is away');
      const notReady = await fetch(`${url}/readyz`);
      assert.equal(notReady.status, 503);
      const body = (await notReady.json()) as { checks: Record<string, string> };
      assert.notEqual(body.checks.postgres, 'ok');
      await pgServer.restart();
      // Its role may not create tables: it waits, not ready, for the migrate step.
      await until('waiting for the migrate step', async () => /waiting for the migrate step/.test(child.stdout), 30_000);
      const waiting = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, string> };
      assert.equal(waiting.checks.postgres, 'ok');
      assert.notEqual(waiting.checks.migrations, 'ok');
      await setUpDatabase(pgServer.setupConfig(), silent);
      await until('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 30_000);
      assert.doesNotMatch(child.stdout, /more rights than worker needs/);
      await until('drained', () => drained(redis, stream));
      await assertExactTallies(db, expectedTallies(added));
      assert.equal(await metric(url, 'bernstein_worker_votes_written_total'), 3000);
      assert.equal(await metric(url, 'bernstein_worker_stream_lag_entries'), 0);
      assert.equal(await metric(url, 'bernstein_worker_stream_pending_entries'), 0);
      assert.ok((await metric(url, 'bernstein_worker_batches_total')) >= 6);
    } finally {
      if (!(await db.ping().then(() => true, () => false))) await pgServer.restart();
    }
  });

  it('SIGTERM with a batch in flight: commits and acknowledges it, then exits 0', async () => {
    const added = await addVotes(redis, stream, makeVotes(2000, 2000));
    const lock = await lockTallies();
    const { child } = await startWorker('w-term', { BATCH_SIZE: '300' });
    await until('batch in flight', () => workerBlockedOnLock('w-term'), 30_000);
    // The batch in its statement, plus (maybe) the next one already read ahead.
    const pendingAtTerm = await pendingOf('w-term');
    assert.ok(pendingAtTerm === 300 || pendingAtTerm === 600, `read, not acknowledged (${pendingAtTerm})`);
    child.proc.kill('SIGTERM');
    // The worker must wait for its batch: it cannot finish while the lock is held.
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(child.running, 'still finishing the batch');
    await lock.query('ROLLBACK');
    const { code } = await child.exited;
    assert.equal(code, 0, child.stderr);
    assert.equal(await pendingOf('w-term'), 0, 'the batch was acknowledged');
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM votes');
    // Exactly what it had read (its pending entries, the oldest of the stream) was committed.
    const inFlight = added.slice(0, pendingAtTerm);
    assert.equal(Number(rows[0]?.n), new Set(inFlight.map((a) => a.vote.voter)).size, 'exactly the batches in flight were committed');
    assert.deepEqual(sorted(await readTallies(db)), sorted(expectedTallies(inFlight)));
    assert.ok(!(await drained(redis, stream)), 'and nothing more was read');
  });

  it('kill -9 in the middle of a batch, another worker takes over: tallies exact', async () => {
    const added = await addVotes(redis, stream, makeVotes(20_000, 4000));
    const { child } = await startWorker('w-doomed', { BATCH_SIZE: '500' });
    await until('some batches committed', async () => {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM votes');
      return Number(rows[0]?.n) >= 1000;
    });
    const lock = await lockTallies();
    await until('batch in flight', () => workerBlockedOnLock('w-doomed'), 30_000);
    const pendingAtKill = await pendingOf('w-doomed');
    child.proc.kill('SIGKILL');
    const { signal } = await child.exited;
    assert.equal(signal, 'SIGKILL');
    assert.ok(pendingAtKill >= 500, `killed holding an unacknowledged batch (${pendingAtKill} pending)`);
    // The dead worker's statement was already sent: once the lock goes it commits without
    // anyone acknowledging it, the worst case: committed, never XACKed, replayed later.
    await lock.query('ROLLBACK');

    const more = await addVotes(redis, stream, makeVotes(2000, 4000, 'p2'));
    const { url } = await startWorker('w-heir', { BATCH_SIZE: '500', CLAIM_IDLE_MS: '500' });
    await until('drained', () => drained(redis, stream), 90_000);
    await assertExactTallies(db, expectedTallies([...added, ...more]));
    assert.equal(await pendingOf('w-doomed'), 0);
    assert.ok((await metric(url, 'bernstein_worker_claimed_total')) >= 500, 'the heir claimed the dead batch');
  });
});
