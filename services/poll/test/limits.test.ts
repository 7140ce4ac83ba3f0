import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, type ErrorBody } from '@bernstein/common';
import { RedisServer, waitFor } from '@bernstein/local';
import { BALLOT_LIBRARY, VOTE_FUNCTION } from '../src/ballot-box.js';
import { clientOf } from '../src/votes.js';
import { cookieHeader, FORM_HEADERS, JSON_HEADERS, setCookies, startHarness, type Harness, useHarness } from './helpers.js';

const VOTES = '/api/polls/default/votes';

function vote(h: Harness, opts: { from?: string; cookie?: string; headers?: Record<string, string>; option?: string } = {}) {
  return h.app.inject({
    method: 'POST',
    url: VOTES,
    remoteAddress: opts.from ?? '10.1.0.1',
    headers: { ...JSON_HEADERS, ...(opts.cookie ? { cookie: opts.cookie } : {}), ...opts.headers },
    payload: { option: opts.option ?? 'a' },
  });
}

describe('vote limits (Redis function: limit and append in one call)', () => {
  const h = useHarness({ NEW_VOTERS_PER_MINUTE: '60', NEW_VOTERS_BURST: '5', VOTE_CHANGES_PER_MINUTE: '60', VOTE_CHANGES_BURST: '2' });

  it('lets one address create NEW_VOTERS_BURST voters at once, then answers 429 RATE_LIMITED with Retry-After and writes nothing', async () => {
    const before = await h.streamLength();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await vote(h, { from: '10.1.0.1' })).statusCode);
    assert.deepEqual(statuses, [202, 202, 202, 202, 202]);
    const refused = await vote(h, { from: '10.1.0.1' });
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers['retry-after'], '1', 'one new voter a second at 60 a minute');
    assert.deepEqual(refused.json(), {
      error: { code: ErrorCode.RATE_LIMITED, message: 'too many new voters from your network address; nothing was recorded, try again in 1 s' },
    });
    assert.equal(setCookies(refused.headers).has('bernstein_voter'), false, 'a refused new voter gets no identity');
    assert.equal(await h.streamLength(), before + 5, 'the refused vote is not in the stream');
    assert.equal((await vote(h, { from: '10.1.0.2' })).statusCode, 202, 'another address has its own budget');
    assert.match(await h.metrics.metrics(), /bernstein_poll_votes_rejected_total\{code="RATE_LIMITED",service="poll"\} 1/);
  });

  it('answers the form with a 429 page that says when to try again', async () => {
    for (let i = 0; i < 5; i++) {
      const ok = await h.app.inject({ method: 'POST', url: '/', remoteAddress: '10.1.0.3', headers: FORM_HEADERS, payload: 'vote=b' });
      assert.equal(ok.statusCode, 303);
    }
    const before = await h.streamLength();
    const page = await h.app.inject({ method: 'POST', url: '/', remoteAddress: '10.1.0.3', headers: FORM_HEADERS, payload: 'vote=b' });
    assert.equal(page.statusCode, 429);
    assert.equal(page.headers['retry-after'], '1');
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body, /Very many people have voted from your network in the last minute, so this vote was not recorded\. Please try again in 1 second\./);
    assert.equal(await h.streamLength(), before);
  });

  it('limits vote changes per voter (VOTE_CHANGES_BURST at once), whatever address they come from', async () => {
    const first = await vote(h, { from: '10.2.0.1' });
    assert.equal(first.statusCode, 202);
    const cookie = cookieHeader(setCookies(first.headers).get('bernstein_voter') as string);
    assert.equal((await vote(h, { from: '10.2.0.1', cookie, option: 'b' })).statusCode, 202);
    assert.equal((await vote(h, { from: '10.2.0.2', cookie, option: 'c' })).statusCode, 202);
    const before = await h.streamLength();
    const refused = await vote(h, { from: '10.2.0.3', cookie, option: 'a' });
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json<ErrorBody>().error.message, 'too many votes from this voter; nothing was recorded, try again in 1 s');
    assert.equal(await h.streamLength(), before);
  });

  it('refills at the configured rate (GCRA on Redis TIME)', async () => {
    const fast = await startHarness({ NEW_VOTERS_PER_MINUTE: '600', NEW_VOTERS_BURST: '1' }, h.server);
    try {
      assert.equal((await vote(fast, { from: '10.3.0.1' })).statusCode, 202);
      assert.equal((await vote(fast, { from: '10.3.0.1' })).statusCode, 429, 'burst of 1: the second at once is refused');
      await sleep(150);
      assert.equal((await vote(fast, { from: '10.3.0.1' })).statusCode, 202, 'one every 100 ms at 600 a minute');
      const key = `${fast.config.votesStream}:limit:address:10.3.0.1`;
      const ttl = await fast.inspect.pttl(key);
      assert.ok(ttl > 0 && ttl <= 100, `the limit key expires once the bucket is full again (PTTL ${ttl} ms)`);
    } finally {
      await fast.close();
    }
  });

  it('ignores X-Forwarded-For from an untrusted peer, and charges the forwarded client behind a trusted proxy', async () => {
    const spoofed: number[] = [];
    for (let i = 0; i < 6; i++) spoofed.push((await vote(h, { from: '10.4.0.1', headers: { 'x-forwarded-for': `192.0.2.${i}` } })).statusCode);
    assert.deepEqual(spoofed, [202, 202, 202, 202, 202, 429], 'a forged header buys no fresh budget');

    const proxied = await startHarness({ TRUSTED_PROXIES: '10.9.0.0/16', NEW_VOTERS_PER_MINUTE: '60', NEW_VOTERS_BURST: '1' }, h.server);
    try {
      const viaProxy = async (client: string) =>
        (await vote(proxied, { from: '10.9.0.7', headers: { 'x-forwarded-for': `${client}, 10.9.0.8` } })).statusCode;
      assert.deepEqual([await viaProxy('198.51.100.1'), await viaProxy('198.51.100.2'), await viaProxy('198.51.100.1')], [202, 202, 429]);
      const keys = await proxied.inspect.keys(`${proxied.config.votesStream}:limit:address:198.51.100.*`);
      assert.deepEqual(keys.sort(), [`${proxied.config.votesStream}:limit:address:198.51.100.1`, `${proxied.config.votesStream}:limit:address:198.51.100.2`]);
    } finally {
      await proxied.close();
    }
  });

  it('counts an IPv6 client by its /64: one subscriber cannot rotate through its addresses', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) statuses.push((await vote(h, { from: `2001:db8:7:8::${i.toString(16)}` })).statusCode);
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
    assert.equal((await vote(h, { from: '2001:db8:7:9::1' })).statusCode, 202, 'the next /64 is another client');
    assert.equal((await vote(h, { from: '::ffff:10.6.0.1' })).statusCode, 202);
    assert.deepEqual(await h.inspect.exists(`${h.config.votesStream}:limit:address:2001:db8:7:8::/64`, `${h.config.votesStream}:limit:address:10.6.0.1`), 2);
  });

  it('is one round trip: the app sends exactly one FCALL per vote, accepted or refused', async () => {
    // monitor() opens its own connection.
    const monitor = await h.inspect.monitor();
    const seen: { args: string[]; source: string }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => seen.push({ args, source }));
    try {
      // The app's own connection, as MONITOR names it (ip:port).
      const appClient = /addr=(\S+)/.exec(String(await h.redis.call('CLIENT', 'INFO')))?.[1] ?? '';
      await sleep(50);
      seen.length = 0;
      const ok = await vote(h, { from: '10.5.0.1' });
      assert.equal(ok.statusCode, 202);
      const fresh = await vote(h, { from: '10.5.0.2' });
      assert.equal(fresh.statusCode, 202);
      const cookie = cookieHeader(setCookies(fresh.headers).get('bernstein_voter') as string);
      for (let i = 0; i < 2; i++) assert.equal((await vote(h, { from: '10.5.0.2', cookie })).statusCode, 202);
      assert.equal((await vote(h, { from: '10.5.0.2', cookie })).statusCode, 429);
      await waitFor('the monitor to catch up', async () => assert.ok(seen.filter((s) => s.source === appClient).length >= 5, JSON.stringify({ appClient, seen: seen.slice(0, 12) })));
      await sleep(50);
      const fromApp = seen.filter((s) => s.source === appClient).map((s) => s.args[0]?.toLowerCase());
      assert.deepEqual(fromApp, ['fcall', 'fcall', 'fcall', 'fcall', 'fcall'], 'nothing but the function call, once per vote');
      assert.ok(seen.every((s) => s.source === appClient || s.source === 'lua' || !s.args.some((a) => /xadd/i.test(a))));
    } finally {
      monitor.disconnect();
    }
  });
});

describe('clientOf: the client a new-voter budget belongs to', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6, and cuts IPv6 to its /64', () => {
    assert.deepEqual(
      ['10.1.2.3', '::ffff:10.1.2.3', '2001:db8:1:2:3:4:5:6', '2001:DB8:1:2::7', '2001:db8::5:6:7:1.2.3.4', 'fe80::1%eth0', '::1', 'not-an-address'].map(clientOf),
      ['10.1.2.3', '10.1.2.3', '2001:db8:1:2::/64', '2001:db8:1:2::/64', '2001:db8:0:5::/64', 'fe80:0:0:0::/64', '0:0:0:0::/64', 'not-an-address'],
    );
  });
});

describe('the vote function across Redis restarts', () => {
  let server: RedisServer;
  let h: Harness;
  before(async () => {
    // No persistence: a restart brings back an empty Redis, without the function.
    server = await RedisServer.start({ persistence: false });
    h = await startHarness({}, server);
  });
  after(async () => {
    await h.close();
    await server.stop();
    rmSync(server.dir, { recursive: true, force: true });
  });

  it('is loaded at start-up under its versioned name', async () => {
    await waitFor('the library to be loaded', async () => {
      const list = (await h.inspect.call('FUNCTION', 'LIST', 'LIBRARYNAME', BALLOT_LIBRARY)) as unknown[];
      assert.equal(list.length, 1);
    });
    assert.match(JSON.stringify(await h.inspect.call('FUNCTION', 'LIST')), new RegExp(VOTE_FUNCTION));
  });

  it('reloads it when Redis comes back empty, and when it was flushed under a live connection', async () => {
    assert.equal((await vote(h)).statusCode, 202);
    await server.stop();
    await server.restart();
    await waitFor('the client to reconnect', async () => assert.equal(h.redis.status, 'ready'));
    assert.equal((await vote(h)).statusCode, 202, 'loaded again on reconnect');

    await h.inspect.call('FUNCTION', 'FLUSH');
    assert.equal((await vote(h)).statusCode, 202, 'a missing function is loaded and the vote retried');
    assert.equal(await h.streamLength(), 2, 'each vote appended once');
  });
});

describe('the vote limits across a Redis restart (AOF, appendfsync always, as shipped)', () => {
  let server: RedisServer;
  let h: Harness;
  before(async () => {
    server = await RedisServer.start({ appendfsync: 'always' });
    h = await startHarness({ NEW_VOTERS_PER_MINUTE: '1', NEW_VOTERS_BURST: '2' }, server);
  });
  after(async () => {
    await h.close();
    await server.stop();
    rmSync(server.dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged vote but not the budgets: those live in memory, off the AOF', async () => {
    assert.deepEqual([(await vote(h, { from: '10.9.0.1' })).statusCode, (await vote(h, { from: '10.9.0.1' })).statusCode], [202, 202]);
    assert.equal((await vote(h, { from: '10.9.0.1' })).statusCode, 429, 'the burst of 2 is spent');
    const limitKeys = await h.inspect.keys('*:limit:*');
    assert.equal(limitKeys.length, 1, `one budget in memory (${limitKeys.join(', ')})`);

    await server.stop();
    await server.restart();
    await waitFor('the client to reconnect', async () => assert.equal(h.redis.status, 'ready'));
    assert.equal(await h.streamLength(), 2, 'both acknowledged votes came back from the AOF');
    assert.deepEqual(await h.inspect.keys('*:limit:*'), [], 'no budget was written to the AOF');
    assert.equal((await vote(h, { from: '10.9.0.1' })).statusCode, 202, 'the address starts afresh');
  });
});
