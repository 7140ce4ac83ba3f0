import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis, streamNames } from '@bernstein/common';
import { RedisServer } from '@bernstein/local';
import { ensureGroup, readGroup } from '../src/stream.js';
import { groupState, nextId, safeMinId, trimAcknowledged } from '../src/trim.js';
import { addVotes, makeVotes } from './helpers.js';

describe('trimAcknowledged', () => {
  let server: RedisServer;
  let redis: Redis;

  before(async () => {
    server = await RedisServer.start();
    redis = new Redis({ host: server.host, port: server.port });
  });
  after(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('computes the id right after another', () => {
    assert.equal(nextId('1700000000000-0'), '1700000000000-1');
    assert.equal(nextId('5-18446744073709551615'), '5-18446744073709551616');
    assert.equal(safeMinId({ lastDeliveredId: '7-3', pending: 0, lag: 0, smallestPendingId: null }), '7-4');
    assert.equal(safeMinId({ lastDeliveredId: '7-3', pending: 2, lag: 0, smallestPendingId: '5-0' }), '5-0');
  });

  it('never removes entries that are pending or not yet delivered; removes acknowledged ones', async () => {
    const names = streamNames('trim-test');
    await ensureGroup(redis, names);
    const added = await addVotes(redis, names.stream, makeVotes(100, 100));
    const ids = added.map((a) => a.id);

    // Nothing delivered yet: nothing may go.
    assert.equal(await trimAcknowledged(redis, names), 0);
    assert.equal(await redis.xlen(names.stream), 100);

    // Consumer "ghost" reads 30 and dies without acknowledging; "live" reads 40 and acks them all.
    await readGroup(redis, names, 'ghost', '>', 30, 10);
    const live = await readGroup(redis, names, 'live', '>', 40, 10);
    await redis.xack(names.stream, names.group, ...live.map((e) => e.id));
    // Ack 10 of the ghost's later entries too: holes above the smallest pending id.
    await redis.xack(names.stream, names.group, ...ids.slice(20, 30));

    const state = await groupState(redis, names);
    assert.equal(state?.pending, 20);
    assert.equal(state?.smallestPendingId, ids[0]);
    assert.equal(await trimAcknowledged(redis, names), 0, 'the oldest entry is still pending: nothing below it to trim');
    assert.equal(await redis.xlen(names.stream), 100);

    // The ghost's first 20 are acknowledged (e.g. after a claim): everything delivered and
    // acknowledged goes; the 30 undelivered entries stay.
    await redis.xack(names.stream, names.group, ...ids.slice(0, 20));
    assert.equal(await trimAcknowledged(redis, names), 70);
    const left = (await redis.xrange(names.stream, '-', '+')).map(([id]) => id);
    assert.deepEqual(left, ids.slice(70));

    // One more pending in the middle of what is left: only below it is trimmed.
    const next = await readGroup(redis, names, 'ghost', '>', 10, 10);
    await redis.xack(names.stream, names.group, ...next.slice(0, 4).map((e) => e.id));
    assert.equal(await trimAcknowledged(redis, names), 4);
    assert.deepEqual((await redis.xrange(names.stream, '-', '+')).map(([id]) => id), ids.slice(74));
  });

  it('does nothing when the stream or group does not exist', async () => {
    assert.equal(await trimAcknowledged(redis, streamNames('no-such-stream')), 0);
  });
});
