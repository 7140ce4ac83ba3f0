/**
 * The worker against failing dependencies (promises 1 and 5): Redis killed with SIGKILL
 * (AOF, appendfsync always, as shipped) and PostgreSQL stopped and crashed during a run.
 * Nothing acknowledged by Redis is lost, nothing is counted twice. Least privilege on, as
 * deployed: the worker uses its own Redis ACL user and PostgreSQL role, the producer poll's
 * user; the test inspects as the admin.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  createRedis,
  Database,
  decodeVote,
  encodeVote,
  loadConfig,
  postgresVars,
  Redis,
  redisVars,
  streamNames,
  type Vote,
} from '@bernstein/common';
import { PostgresServer, RedisServer } from '@bernstein/local';
import { addVotes, assertExactTallies, counterValue, drained, expectedTallies, freshMetrics, makeVotes, silent, testConsumer, until, type Added } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('worker resilience', () => {
  it('Redis SIGKILL (AOF always) mid-run: no acknowledged XADD lost, tallies exact', async () => {
    const [redisServer, pgServer] = await Promise.all([
      RedisServer.start({ appendfsync: 'always', acl: true }),
      PostgresServer.start({ durable: false, roles: true }),
    ]);
    cleanups.push(() => pgServer.stop(), () => redisServer.stop());
    const db = new Database(loadConfig(postgresVars, pgServer.env), silent, 'test');
    const workerDb = new Database(loadConfig(postgresVars, pgServer.envFor('worker')), silent, 'test-worker');
    cleanups.push(() => db.close(), () => workerDb.close());
    const names = streamNames('votes');
    // The worker's own kind of connection: reconnects forever, queues while disconnected.
    const workerRedis = createRedis(loadConfig(redisVars, redisServer.envFor('worker')), silent, { name: 'worker' });
    cleanups.push(async () => workerRedis.disconnect());
    const metrics = freshMetrics();
    const consumer = testConsumer({ redis: workerRedis, db: workerDb, metrics, names, claimIdleMs: 1000 });
    cleanups.push(() => consumer.stop());
    void consumer.start();

    // A producer like poll: fail fast while Redis is away, and only count what XADD acknowledged.
    const producer = new Redis({
      ...redisServer.clientOptions('poll'),
      enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100,
    });
    producer.on('error', () => undefined);
    cleanups.push(async () => producer.disconnect());
    if (producer.status !== 'ready') await new Promise((r) => producer.once('ready', r));
    const acked: (Added & { at: number })[] = [];
    let unknownOutcomes = 0;
    const votes = makeVotes(8000, 1500);
    let killed = false;
    // Like a voter whose vote was refused, a failed XADD is sent again (as a new entry).
    const queue = [...votes];
    const started = Date.now();
    while (queue.length > 0) {
      // Votes arrive for a while before the crash, then at full speed.
      if (!killed) await new Promise((r) => setTimeout(r, 60));
      if (!killed && acked.length >= 3000 && Date.now() - started > 4000) {
        killed = true;
        await redisServer.kill();
        await new Promise((r) => setTimeout(r, 300));
        await redisServer.restart();
      }
      const chunk = queue.splice(0, 50);
      const pipe = producer.pipeline();
      for (const v of chunk) pipe.xadd(names.stream, '*', ...encodeVote(v));
      const replies = await pipe.exec().catch(() => null);
      const failed: Vote[] = [];
      chunk.forEach((v, j) => {
        const [err, id] = replies?.[j] ?? [new Error('no reply'), null];
        if (err) failed.push(v);
        else acked.push({ id: id as string, vote: v, at: Date.now() });
      });
      if (failed.length > 0) {
        unknownOutcomes += failed.length;
        queue.unshift(...failed);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.ok(killed, 'Redis was killed during the run');
    assert.equal(acked.length, 8000, 'every vote was acknowledged in the end');

    const admin = new Redis(redisServer.clientOptions('admin'));
    cleanups.push(async () => admin.disconnect());
    await until('drained', () => drained(admin, names.stream), 60_000);
    const inStream = await admin.xrange(names.stream, '-', '+');
    const streamIds = new Set(inStream.map(([id]) => id));
    const lost = acked.filter((a) => !streamIds.has(a.id));
    // appendfsync always: Redis writes and fsyncs the AOF before it replies, so nothing it
    // acknowledged can be missing after a crash. (With everysec, Redis postpones the write
    // while a slow background fsync runs, up to 2 s, and still replies: a process crash then
    // loses acknowledged votes. This test caught exactly that; see docs/adr/0004.)
    assert.deepEqual(lost, [], `every acknowledged vote survived the SIGKILL (${lost.length} of ${acked.length} lost)`);
    assert.ok(inStream.length - acked.length <= unknownOutcomes, 'extra entries only from XADDs whose outcome was unknown');
    // Expected tallies from what the stream really holds (acknowledged votes plus any vote
    // whose XADD reply was lost in the crash but which Redis had written).
    const all: Added[] = inStream.map(([id, fields]) => ({ id, vote: decodeVote(fields) }));
    await assertExactTallies(db, expectedTallies(all));
  });

  it('PostgreSQL stopped for seconds, then crashed (SIGKILL): the worker retries, resumes, tallies exact', async () => {
    const [redisServer, pgServer] = await Promise.all([RedisServer.start({ acl: true }), PostgresServer.start({ durable: true, roles: true })]);
    cleanups.push(() => pgServer.stop(), () => redisServer.stop());
    const db = new Database(loadConfig(postgresVars, pgServer.env), silent, 'test');
    const workerDb = new Database(loadConfig(postgresVars, pgServer.envFor('worker')), silent, 'test-worker');
    cleanups.push(() => db.close(), () => workerDb.close());
    const redis = new Redis(redisServer.clientOptions('admin'));
    const workerRedis = new Redis(redisServer.clientOptions('worker'));
    cleanups.push(async () => redis.disconnect(), async () => workerRedis.disconnect());
    const names = streamNames('votes');
    const added = await addVotes(redis, names.stream, makeVotes(20_000, 3000));
    const metrics = freshMetrics();
    const consumer = testConsumer({ redis: workerRedis, db: workerDb, metrics, names, trimIntervalMs: 500 });
    cleanups.push(() => consumer.stop());
    void consumer.start();

    await until('some batches committed', async () => (await counterValue(metrics.votesWritten)) >= 3000);
    await pgServer.stop();
    // Votes keep coming while PostgreSQL is away; Redis holds them.
    const during = await addVotes(redis, names.stream, makeVotes(3000, 3000, 'p2'));
    await new Promise((r) => setTimeout(r, 3000));
    const writtenWhileDown = await counterValue(metrics.votesWritten);
    assert.ok(writtenWhileDown < 23_000, 'nothing can be committed while PostgreSQL is down');
    await pgServer.restart();

    await until('more batches committed', async () => (await counterValue(metrics.votesWritten)) >= writtenWhileDown + 3000);
    await pgServer.kill();
    await new Promise((r) => setTimeout(r, 500));
    await pgServer.restart();

    await until('drained', () => drained(redis, names.stream), 90_000);
    await assertExactTallies(db, expectedTallies([...added, ...during]));
    const retries = (await metrics.retries.get()).values.find((v) => v.labels.operation === 'postgres write')?.value ?? 0;
    assert.ok(retries > 0, 'the write was retried');
  });
});
