/** Redis ACL users on a real redis-server: each may do its job and nothing else. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisServer } from '@bernstein/local';
import { aclPasswordHash, renderRedisAcl, type RedisAclUser } from '@bernstein/common';

const NOPERM = /^ReplyError: NOPERM this user has no permissions to (run the .* command|access one of the keys used as arguments)$/;

describe('Redis ACL users', () => {
  let server: RedisServer;
  const clients: Redis[] = [];

  function as(user: RedisAclUser | undefined): Redis {
    const options = user === undefined ? { host: server.host, port: server.port } : server.clientOptions(user);
    const redis = new Redis({ ...options, maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: user !== undefined });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  }

  before(async () => {
    server = await RedisServer.start({ acl: true, persistence: false });
    await as('admin').set('other', 'secret');
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
  });

  it('refuses the anonymous default user, with or without a password', async () => {
    await assert.rejects(as(undefined).ping(), /NOAUTH Authentication required/);
    await assert.rejects(as(undefined).auth('default', 'anything-at-all-long-enough'), /WRONGPASS/);
    await assert.rejects(as(undefined).auth('poll', 'not-the-password-of-poll'), /WRONGPASS/);
  });

  it('lets poll append votes, and nothing else: no XREAD, DEL, FLUSHALL, nor another key', async () => {
    const poll = as('poll');
    assert.match(await poll.xadd('votes', '*', 'v', '1') as string, /^\d+-\d+$/);
    await assert.rejects(poll.xread('STREAMS', 'votes', '0'), NOPERM);
    await assert.rejects(poll.xrange('votes', '-', '+'), NOPERM);
    await assert.rejects(poll.del('votes'), NOPERM);
    await assert.rejects(poll.flushall(), NOPERM);
    await assert.rejects(poll.get('other'), NOPERM);
    await assert.rejects(poll.set('votes', 'x'), NOPERM, 'SET would replace the stream');
    await assert.rejects(poll.xadd('votes:dead', '*', 'v', '1'), NOPERM);
    await assert.rejects(poll.config('GET', 'requirepass'), NOPERM);
    assert.equal(await as('admin').xlen('votes'), 1);
  });

  it('lets poll run a rate-limited append as a function, which gets no right poll lacks', async () => {
    const poll = as('poll');
    // The shape of poll's ballot function: TIME, GET/SET of a limit key, XADD to the stream.
    await poll.function(
      'LOAD',
      'REPLACE',
      `#!lua name=acltest
redis.register_function('acl_vote', function(keys, args)
  redis.call('TIME')
  redis.call('GET', keys[2])
  redis.call('SET', keys[2], '1', 'PX', 1000)
  return redis.call('XADD', keys[1], '*', 'v', args[1])
end)
redis.register_function('acl_escape', function(keys, args)
  return redis.call('FLUSHALL')
end)`,
    );
    assert.match((await poll.fcall('acl_vote', 2, 'votes', 'votes:limit:address:127.0.0.1', '2')) as string, /^\d+-\d+$/);
    await assert.rejects(poll.fcall('acl_vote', 2, 'votes', 'other', '3'), NOPERM);
    await assert.rejects(poll.fcall('acl_escape', 0), /The user executing the script can't run this command/);
    assert.equal(await as('admin').get('other'), 'secret');
  });

  it('lets poll keep its API polls (hashes, the set, the change channel) and nothing beside them', async () => {
    const poll = as('poll');
    await poll.hset('votes:poll:lunch', 'status', 'open');
    assert.deepEqual(await poll.hmget('votes:poll:lunch', 'status'), ['open']);
    await poll.sadd('votes:polls', 'lunch');
    assert.deepEqual(await poll.smembers('votes:polls'), ['lunch']);
    assert.equal(await poll.publish('votes:polls', 'lunch'), 0);
    await assert.rejects(poll.publish('other', 'x'), /^ReplyError: NOPERM this user has no permissions to access one of the channels used as arguments$/);
    await assert.rejects(poll.hset('other', 'a', '1'), NOPERM);
    await assert.rejects(poll.del('votes:poll:lunch'), NOPERM);
    await assert.rejects(poll.hset('votes', 'a', '1'), NOPERM, 'not on the stream');
    const subscriber = as('poll');
    await subscriber.subscribe('votes:polls');
    await assert.rejects(as('poll').subscribe('other'), /NOPERM/);
  });

  it("lets the worker read, acknowledge, claim, trim and dead-letter, but not append votes, FLUSHALL or CONFIG", async () => {
    const worker = as('worker');
    await worker.xgroup('CREATE', 'votes', 'workers', '0', 'MKSTREAM');
    const read = (await worker.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', 10, 'STREAMS', 'votes', '>')) as [string, [string, string[]][]][];
    const ids = read[0]?.[1].map(([id]) => id) ?? [];
    assert.ok(ids.length >= 1);
    await worker.xautoclaim('votes', 'workers', 'w2', 0, '0', 'COUNT', 10);
    await worker.multi().xadd('votes:dead', '*', 'reason', 'test').xack('votes', 'workers', ...ids).exec();
    await worker.call('XINFO', 'GROUPS', 'votes');
    await worker.xpending('votes', 'workers');
    await worker.xtrim('votes', 'MINID', '0');
    await assert.rejects(worker.xadd('votes', '*', 'v', 'forged'), NOPERM);
    await assert.rejects(worker.flushall(), NOPERM);
    await assert.rejects(worker.config('GET', 'dir'), NOPERM);
    await assert.rejects(worker.del('votes'), NOPERM);
    await assert.rejects(worker.get('other'), NOPERM);
  });

  it('lets the probe user PING and nothing else', async () => {
    const probe = as('probe');
    assert.equal(await probe.ping(), 'PONG');
    await assert.rejects(probe.get('other'), NOPERM);
    await assert.rejects(probe.xlen('votes'), NOPERM);
  });

  it('lets the scaler read the group lag only', async () => {
    const scaler = as('scaler');
    await scaler.call('XINFO', 'GROUPS', 'votes');
    await assert.rejects(scaler.xreadgroup('GROUP', 'workers', 'w9', 'STREAMS', 'votes', '>'), NOPERM);
    await assert.rejects(scaler.xadd('votes', '*', 'v', '1'), NOPERM);
  });
});

describe('Redis ACL users across a crash', () => {
  it('replays every transaction of the append-only file after SIGKILL: the function\'s votes and the dead letters survive', async () => {
    const server = await RedisServer.start({ acl: true, appendfsync: 'always' });
    const clients: Redis[] = [];
    const as = (user: RedisAclUser) => {
      const c = new Redis({ ...server.clientOptions(user), maxRetriesPerRequest: 0 });
      clients.push(c);
      return c;
    };
    try {
      const poll = as('poll');
      await poll.function('LOAD', 'REPLACE', `#!lua name=crashtest
redis.register_function('crash_vote', function(keys, args)
  redis.call('SET', keys[2], '1', 'PX', 60000)
  return redis.call('XADD', keys[1], '*', 'v', args[1])
end)`);
      // A function's writes reach the append-only file as MULTI … EXEC, like the worker's dead-letter move.
      const receipt = (await poll.fcall('crash_vote', 2, 'votes', 'votes:limit:voter:x', 'by-function')) as string;
      const worker = as('worker');
      await worker.xgroup('CREATE', 'votes', 'workers', '0');
      await worker.xreadgroup('GROUP', 'workers', 'w1', 'STREAMS', 'votes', '>');
      await worker.multi().xadd('votes:dead', '*', 'reason', 'test').xack('votes', 'workers', receipt).exec();
      for (const c of clients.splice(0)) c.disconnect();

      await server.kill();
      await server.restart();
      const admin = as('admin');
      assert.deepEqual((await admin.xrange('votes', '-', '+')).map(([id, fields]) => [id, fields]), [[receipt, ['v', 'by-function']]]);
      assert.equal(await admin.xlen('votes:dead'), 1);
      assert.equal(await admin.get('votes:limit:voter:x'), '1');
      assert.doesNotMatch(readFileSync(join(server.dir, 'redis.log'), 'utf8'), /CRITICAL|NOPERM/);
    } finally {
      for (const c of clients) c.disconnect();
      await server.stop();
    }
  });
});

describe('renderRedisAcl', () => {
  it('turns the default user off and stores only password hashes', () => {
    const file = renderRedisAcl({ poll: 'poll-password-0123456789' }, 'ballots');
    const lines = file.trim().split('\n');
    assert.equal(lines[0], 'user default off resetpass ~* &* +@all');
    assert.equal(lines.length, 2, 'users without a password are left out');
    assert.ok(lines[1]?.startsWith(`user poll on resetpass ${aclPasswordHash('poll-password-0123456789')} `));
    assert.ok(!file.includes('poll-password-0123456789'));
    assert.match(lines[1] ?? '', / ~ballots ~ballots:limit:\* ~ballots:poll:\* ~ballots:polls &ballots:polls \(~ballots \+xadd\) \(~ballots:limit:\* \+get \+set\) \(/);
  });

  it('accepts two passwords of one user during a rotation', () => {
    const line = renderRedisAcl({ worker: ['old-worker-password-0123', 'new-worker-password-0123'] }).trim().split('\n')[1] ?? '';
    assert.ok(line.startsWith(`user worker on resetpass ${aclPasswordHash('old-worker-password-0123')} ${aclPasswordHash('new-worker-password-0123')} `), line);
  });

  it('refuses short passwords and stream names that would be glob patterns', () => {
    assert.throws(() => renderRedisAcl({ worker: 'short' }), /shorter than 16 characters/);
    assert.throws(() => renderRedisAcl({ worker: 'long-enough-password' }, 'votes*'), /would be a glob pattern/);
  });
});
