import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Database, encodeVote, loadConfig, migrate, postgresVars, Redis, streamNames } from '@bernstein/common';
import { PostgresServer, RedisServer } from '@bernstein/local';
import type { Consumer, ConsumerOptions } from '../src/consumer.js';
import { readGroup } from '../src/stream.js';
import {
  addVotes,
  assertExactTallies,
  counterValue,
  drained,
  expectedTallies,
  freshMetrics,
  makeVotes,
  readTallies,
  silent,
  testConsumer,
  until,
} from './helpers.js';

describe('Consumer', () => {
  let redisServer: RedisServer;
  let pgServer: PostgresServer;
  let redis: Redis;
  let db: Database;
  let streamNo = 0;
  let stream: string;
  const running: Consumer[] = [];
  const clients: Redis[] = [];

  before(async () => {
    [redisServer, pgServer] = await Promise.all([RedisServer.start(), PostgresServer.start({ durable: false })]);
    redis = new Redis({ host: redisServer.host, port: redisServer.port });
    db = new Database(loadConfig(postgresVars, pgServer.env), silent, 'test');
    await migrate(db, silent);
  });
  after(async () => {
    await Promise.all(running.map((c) => c.stop()));
    for (const c of clients) c.disconnect();
    redis?.disconnect();
    await db?.close();
    await Promise.all([redisServer?.stop(), pgServer?.stop()]);
  });
  beforeEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
    await db.query('TRUNCATE votes, tallies');
    stream = `votes-${++streamNo}`;
  });

  function consumer(name: string, overrides: Partial<ConsumerOptions> = {}): Consumer {
    const c = testConsumer({ redis, db, names: streamNames(stream), consumer: name, batchSize: 200, ...overrides });
    running.push(c);
    return c;
  }

  const assertExact = (expected: Record<string, number>) => assertExactTallies(db, expected);

  it('drains votes with re-votes into exact tallies, then trims what it acknowledged', async () => {
    const added = await addVotes(redis, stream, makeVotes(5000, 1000));
    const metrics = freshMetrics();
    void consumer('w1', { metrics, trimIntervalMs: 100 }).start();
    await until('drained', () => drained(redis, stream));
    await assertExact(expectedTallies(added));
    assert.equal(await counterValue(metrics.votesWritten), 5000);
    assert.ok((await counterValue(metrics.batches)) >= 25);
    await until('trimmed', async () => (await redis.xlen(stream)) === 0);
    // New votes after the trim are still read.
    const more = await addVotes(redis, stream, makeVotes(100, 100, 'p2'));
    await until('drained again', () => drained(redis, stream));
    await assertExact(expectedTallies([...added, ...more]));
  });

  it('moves malformed entries to the dead-letter stream and still commits the rest', async () => {
    const good = await addVotes(redis, stream, makeVotes(300, 300));
    const badFields = [
      ['v', '1', 'poll', 'p1', 'voter', 'short', 'option', 'a', 'at', '1'],
      ['v', '2', 'poll', 'p1', 'voter', 'a-fine-voter-id-123', 'option', 'a', 'at', '1'],
      ['garbage', 'x'],
    ];
    const badIds: string[] = [];
    for (const f of badFields) badIds.push((await redis.xadd(stream, '*', ...f)) as string);
    const after = await addVotes(redis, stream, makeVotes(300, 300));
    const metrics = freshMetrics();
    void consumer('w1', { metrics }).start();
    await until('drained', () => drained(redis, stream));
    await assertExact(expectedTallies([...good, ...after]));
    assert.equal(await counterValue(metrics.deadLettered), 3);

    const dead = await redis.xrange(streamNames(stream).deadLetter, '-', '+');
    const records = dead.map(([, fields]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) o[fields[i] as string] = fields[i + 1] as string;
      return o;
    });
    assert.deepEqual(records.map((r) => r.id), badIds);
    assert.deepEqual(records.map((r) => JSON.parse(r.fields as string) as unknown), badFields);
    assert.match(records[0]?.reason ?? '', /voter/);
    assert.match(records[1]?.reason ?? '', /schema version/);
    assert.match(records[2]?.reason ?? '', /version|odd/);
    assert.ok(records.every((r) => r.consumer === 'w1'));
  });

  it('two workers on one stream at once give exact tallies, and both take part', async () => {
    const added = await addVotes(redis, stream, makeVotes(20_000, 2000));
    const m1 = freshMetrics();
    const m2 = freshMetrics();
    // Each worker has its own connection, as separate processes would (a blocking read holds one).
    const [r1, r2] = [1, 2].map(() => new Redis({ host: redisServer.host, port: redisServer.port }));
    clients.push(r1 as Redis, r2 as Redis);
    const c1 = consumer('w1', { metrics: m1, batchSize: 100, redis: r1 });
    const c2 = consumer('w2', { metrics: m2, batchSize: 100, redis: r2 });
    void c1.start();
    void c2.start();
    // Votes keep arriving while both run.
    const more = await addVotes(redis, stream, makeVotes(5000, 2000));
    await until('drained', () => drained(redis, stream));
    await assertExact(expectedTallies([...added, ...more]));
    const [n1, n2] = [await counterValue(m1.votesWritten), await counterValue(m2.votesWritten)];
    assert.equal(n1 + n2, 25_000, 'each entry committed once');
    assert.ok(n1 > 0 && n2 > 0, `both workers consumed (${n1}, ${n2})`);
    await Promise.all([c1.stop(), c2.stop()]);
  });

  it('on start, first re-reads its own pending entries (read before a crash, never acknowledged)', async () => {
    const added = await addVotes(redis, stream, makeVotes(1000, 300));
    await redis.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    // "w1" read 600 entries, then crashed: they are pending for w1.
    const read = await readGroup(redis, streamNames(stream), 'w1', '>', 600, 10);
    assert.equal(read.length, 600);
    const metrics = freshMetrics();
    void consumer('w1', { metrics }).start();
    await until('drained', () => drained(redis, stream));
    await assertExact(expectedTallies(added));
    assert.equal(await counterValue(metrics.claimed), 0, 'its own entries are re-read, not claimed');
    assert.equal(await counterValue(metrics.votesWritten), 1000);
  });

  it('claims the pending entries of a dead consumer once they are idle long enough', async () => {
    const added = await addVotes(redis, stream, makeVotes(2000, 500));
    await redis.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    const read = await readGroup(redis, streamNames(stream), 'dead', '>', 700, 10);
    assert.equal(read.length, 700);
    const metrics = freshMetrics();
    void consumer('alive', { metrics, claimIdleMs: 300 }).start();
    await until('drained', () => drained(redis, stream));
    await assertExact(expectedTallies(added));
    assert.equal(await counterValue(metrics.claimed), 700);
    const pending = (await redis.xpending(stream, 'workers')) as [number, ...unknown[]];
    assert.equal(pending[0], 0);
  });

  it('processing an already committed batch again (crash between COMMIT and XACK) changes no tally', async () => {
    const added = await addVotes(redis, stream, makeVotes(400, 150));
    await redis.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    const entries = await readGroup(redis, streamNames(stream), 'w1', '>', 400, 10);
    const c = consumer('w1');
    const first = await c.processBatch(entries);
    assert.ok(first.written > 0);
    const before = await db.query('SELECT * FROM tallies ORDER BY poll, option');
    const votesBefore = await db.query('SELECT * FROM votes ORDER BY poll, voter');
    // Redelivery: the same entries, in another order and split differently.
    const again = [...entries].reverse();
    const r1 = await c.processBatch(again.slice(0, 123));
    const r2 = await c.processBatch(again.slice(123));
    assert.equal(r1.written + r2.written, 0);
    assert.deepEqual((await db.query('SELECT * FROM tallies ORDER BY poll, option')).rows, before.rows);
    assert.deepEqual((await db.query('SELECT * FROM votes ORDER BY poll, voter')).rows, votesBefore.rows);
    await assertExact(expectedTallies(added));
  });

  it('acknowledges entries that vanished while pending instead of stalling on them', async () => {
    const added = await addVotes(redis, stream, makeVotes(10, 10));
    await redis.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    await readGroup(redis, streamNames(stream), 'w1', '>', 10, 10);
    await redis.xdel(stream, added[0]?.id as string, added[1]?.id as string);
    void consumer('w1').start();
    await until('drained', () => drained(redis, stream));
    await assertExact(expectedTallies(added.slice(2)));
  });

  it('keeps reading a stream whose group was deleted (creates it again)', async () => {
    void consumer('w1').start();
    const first = await addVotes(redis, stream, makeVotes(50, 50));
    await until('drained', () => drained(redis, stream));
    await redis.xgroup('DESTROY', stream, 'workers');
    await redis.xadd(stream, '*', ...encodeVote({ poll: 'p9', voter: 'late-voter-0000000001', option: 'b', at: Date.now() }));
    await until('new group drained', async () => (await readTallies(db))['p9/b'] === 1, 20_000);
    // The new group starts at 0: old entries are replayed and change nothing.
    await until('drained', () => drained(redis, stream));
    await assertExact({ ...expectedTallies(first), 'p9/b': 1 });
  });
});
