import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, RedisServer, waitFor } from '@bernstein/local';
import { COOKIE_SECRET } from './helpers.js';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** Runs the poll server as its own process with exactly `env` (plus PATH and NODE_OPTIONS for tsx). */
function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

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
      server.child.kill('SIGTERM');
      // During SHUTDOWN_DELAY_MS readiness is false while votes are still served.
      await waitFor('readiness false after SIGTERM', async () => assert.equal((await fetch(`${ops}/readyz`)).status, 503));
      const during = await fetch(`${base}/api/polls/default/votes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ option: 'b' }),
      });
      assert.equal(during.status, 202);
      const [code, signal] = await server.exited;
      assert.equal(signal, null);
      assert.equal(code, 0, server.output().stderr);
      assert.ok(Date.now() - started < 6000, 'exits within the delay plus the shutdown budget');
      const logs = server.output().stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
      assert.ok(logs.some((l) => l.msg === 'poll service ready'));
      assert.ok(logs.some((l) => l.msg === 'shutting down'));
      assert.ok(logs.some((l) => l.msg === 'stopped'));
      assert.doesNotMatch(server.output().stdout, new RegExp(COOKIE_SECRET), 'the secret is never logged');
    } finally {
      server.child.kill('SIGKILL');
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
      server.child.kill('SIGTERM');
      assert.equal((await server.exited)[0], 0);
    } finally {
      server.child.kill('SIGKILL');
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
      const server = startServer(t.env);
      const [code] = await server.exited;
      assert.equal(code, 78);
      const { stdout, stderr } = server.output();
      assert.equal(stdout, '');
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, stderr);
      const line = JSON.parse(lines[0] as string) as { level: number; msg: string; code: string };
      assert.equal(line.level, 60, 'a pino fatal line');
      assert.equal(line.code, 'BERNSTEIN_CONFIG_INVALID');
      for (const name of t.names) assert.match(line.msg, new RegExp(`\\b${name}\\b`));
      assert.doesNotMatch(line.msg, /short/, 'secret values are not echoed');
    });
  }
});
