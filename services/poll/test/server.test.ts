import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { configRefusal } from '@bernstein/common/testing';
import { freePort, RedisServer, waitFor } from '@bernstein/local';
import { COOKIE_SECRET, startPollProcess as startServer } from './helpers.js';

describe('poll server process', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await redis.stop();
    rmSync(redis.dir, { recursive: true, force: true });
  });

  it('serves votes, then on SIGTERM turns unready, finishes and exits 0 promptly', async () => {
    const port = await freePort();
    const opsPort = await freePort();
    const server = startServer({ ...redis.env, HOST: '127.0.0.1', PORT: String(port), OPS_PORT: String(opsPort), COOKIE_SECRET, LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: '1000', SHUTDOWN_TIMEOUT_MS: '5000' });
    try {
      const base = `http://127.0.0.1:${port}`;
      const ops = `http://127.0.0.1:${opsPort}`;
      await waitFor('poll server ready', async () => {
        const res = await fetch(`${ops}/readyz`);
        assert.equal(res.status, 200);
      });
      const res = await fetch(`${base}/api/polls/default/votes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ option: 'a' }),
      });
      assert.equal(res.status, 202);
      const { receipt } = (await res.json()) as { receipt: string };
      assert.match(receipt, /^\d+-\d+$/);

      const started = Date.now();
      server.kill('SIGTERM');
      // During SHUTDOWN_DELAY_MS readiness is false while votes are still served.
      await waitFor('readiness false after SIGTERM', async () => assert.equal((await fetch(`${ops}/readyz`)).status, 503));
      const during = await fetch(`${base}/api/polls/default/votes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ option: 'b' }),
      });
      assert.equal(during.status, 202);
      const { code, signal } = await server.exited;
      assert.equal(signal, null);
      assert.equal(code, 0, server.stderr);
      assert.ok(Date.now() - started < 6000, 'exits within the delay plus the shutdown budget');
      const logs = server.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
      assert.ok(logs.some((l) => l.msg === 'poll service ready'), 'logs "poll service ready"');
      assert.ok(logs.some((l) => l.msg === 'shutting down'), 'logs "shutting down"');
      assert.ok(logs.some((l) => l.msg === 'stopped'), 'logs "stopped"');
      assert.doesNotMatch(server.stdout, new RegExp(COOKIE_SECRET), 'the secret is never logged');
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('starts while Redis is unreachable, ready to answer votes with 503', async () => {
    const port = await freePort();
    const opsPort = await freePort();
    const server = startServer({ REDIS_HOST: '127.0.0.1', REDIS_PORT: String(await freePort()), HOST: '127.0.0.1', PORT: String(port), OPS_PORT: String(opsPort), COOKIE_SECRET });
    try {
      await waitFor('poll server listening', async () => {
        const res = await fetch(`http://127.0.0.1:${opsPort}/healthz`);
        assert.equal(res.status, 200);
      });
      assert.equal((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 404, 'the public port serves no ops endpoint');
      const vote = await fetch(`http://127.0.0.1:${port}/api/polls/default/votes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ option: 'a' }),
      });
      assert.equal(vote.status, 503);
      assert.equal(vote.headers.get('retry-after'), '1');
      server.kill('SIGTERM');
      assert.equal((await server.exited).code, 0);
    } finally {
      server.kill('SIGKILL');
    }
  });

  const invalid: { name: string; env: Record<string, string>; names: string[] }[] = [
    { name: 'REDIS_PORT is not a number', env: { REDIS_HOST: '127.0.0.1', REDIS_PORT: 'abc' }, names: ['REDIS_PORT'] },
    { name: 'REDIS_HOST is missing', env: {}, names: ['REDIS_HOST'] },
    {
      name: 'several variables are wrong',
      env: { REDIS_HOST: '127.0.0.1', PORT: '99999', COOKIE_SECRET: 'short', LOG_LEVEL: 'loud' },
      names: ['PORT', 'COOKIE_SECRET', 'LOG_LEVEL'],
    },
    { name: 'POLLS is not JSON', env: { REDIS_HOST: '127.0.0.1', POLLS: '[{' }, names: ['POLLS'] },
    { name: 'RESULT_URL is not a URL', env: { REDIS_HOST: '127.0.0.1', RESULT_URL: 'results' }, names: ['RESULT_URL'] },
  ];

  for (const t of invalid) {
    it(`refuses to start when ${t.name}: exit 78 and one fatal line naming it`, async () => {
      const msg = await configRefusal(startServer(t.env));
      for (const name of t.names) assert.match(msg, new RegExp(`\\b${name}\\b`));
      assert.doesNotMatch(msg, /short/, 'secret values are not echoed');
    });
  }
});
