/**
 * `npm start`'s runner, as a user runs it: a real process with real Redis, PostgreSQL and
 * services (from their sources), on free ports, with a private data directory.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../src/ports.js';
import { PostgresServer } from '../src/postgres-server.js';
import { RedisServer } from '../src/redis-server.js';

const UP = fileURLToPath(new URL('../src/up.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
  /** Resolves with the text once `pattern` appears in the output. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
}

function start(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [UP], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exit,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = text.match(pattern);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} in output within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        listeners.add(check);
        void exit.then(() => setTimeout(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`runner exited before ${pattern}:\n${text}`));
          }
        }, 50));
        check();
      }),
  };
}

function pidsOf(output: string): number[] {
  return [...output.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function resultsTotal(url: string, expectTotal: number, timeoutMs = 15_000): Promise<{ total: number; options: { id: string; votes: number }[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await json(`${url}/api/polls/default/results`);
    const r = body as { total: number; options: { id: string; votes: number }[] };
    if (r.total === expectTotal || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('local run (up)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bernstein-up-test-'));
  const running: Run[] = [];
  after(async () => {
    for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts everything, counts a vote, stops cleanly on SIGINT, keeps the vote across a restart, and stops when a service dies', async () => {
    const ports = {
      POLL_PORT: String(await freePort()),
      RESULT_PORT: String(await freePort()),
      WORKER_PORT: String(await freePort()),
      LOCAL_REDIS_PORT: String(await freePort()),
      LOCAL_POSTGRES_PORT: String(await freePort()),
    };
    const env = { ...ports, BERNSTEIN_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const poll = `http://127.0.0.1:${ports.POLL_PORT}`;
    const result = `http://127.0.0.1:${ports.RESULT_PORT}`;

    // First run: vote once through the poll API, see it in the result API.
    const first = start(env);
    running.push(first);
    await first.waitFor(/Ctrl-C stops everything/);
    assert.match(first.output(), new RegExp(`vote +${poll}/`));
    assert.match(first.output(), new RegExp(`results +${result}/`));
    const vote = await json(`${poll}/api/polls/default/votes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ option: 'b' }),
    });
    assert.equal(vote.status, 202);
    const cookie = (vote.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(cookie, /^bernstein_voter=.+/);
    const counted = await resultsTotal(result, 1);
    assert.equal(counted.total, 1);
    assert.equal(counted.options.find((o) => o.id === 'b')?.votes, 1);

    const pids = pidsOf(first.output());
    assert.equal(pids.length, 5, 'poll, result, worker, redis and postgres pids are printed');
    first.child.kill('SIGINT');
    assert.equal(await first.exit, 0);
    assert.match(first.output(), /SIGINT: stopping services, then databases/);
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} is gone after SIGINT`);
    assert.equal(existsSync(join(dataDir, 'postgres', 'data', 'postmaster.pid')), false, 'PostgreSQL shut down cleanly');

    // Second run on the same data: the vote is still counted, and the voter's cookie still
    // works (the cookie secret was kept), so voting again changes the vote instead of adding one.
    const second = start(env);
    running.push(second);
    await second.waitFor(/Ctrl-C stops everything/);
    assert.equal((await resultsTotal(result, 1)).total, 1);
    const again = await json(`${poll}/api/polls/default/votes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ option: 'c' }),
    });
    assert.equal(again.status, 202);
    const deadline = Date.now() + 15_000;
    let now = await resultsTotal(result, 1);
    while (now.options.find((o) => o.id === 'c')?.votes !== 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = await resultsTotal(result, 1);
    }
    assert.equal(now.total, 1);
    assert.equal(now.options.find((o) => o.id === 'c')?.votes, 1);
    assert.equal(now.options.find((o) => o.id === 'b')?.votes, 0);

    // A service that dies is reported, not restarted silently: everything stops, exit 1.
    const workerPid = Number(second.output().match(/worker pid (\d+)/)?.[1]);
    const secondPids = pidsOf(second.output());
    process.kill(workerPid, 'SIGKILL');
    assert.equal(await second.exit, 1);
    assert.match(second.output(), /worker stopped unexpectedly \(killed by SIGKILL\); stopping everything/);
    for (const pid of secondPids) assert.equal(alive(pid), false, `process ${pid} is gone after the worker died`);
  });

  it('uses the Redis and PostgreSQL given by REDIS_HOST / POSTGRES_* instead of starting its own', async () => {
    const redis = await RedisServer.start();
    const postgres = await PostgresServer.start({ durable: false });
    try {
      const pollPort = await freePort();
      const resultPort = await freePort();
      const run = start({
        ...redis.env,
        ...postgres.env,
        BERNSTEIN_DATA_DIR: join(dataDir, 'external'),
        POLL_PORT: String(pollPort),
        RESULT_PORT: String(resultPort),
        WORKER_PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
      });
      running.push(run);
      await run.waitFor(/Ctrl-C stops everything/);
      assert.match(run.output(), new RegExp(`using Redis at 127\\.0\\.0\\.1:${redis.port} \\(REDIS_HOST is set\\)`));
      assert.match(run.output(), new RegExp(`using PostgreSQL at 127\\.0\\.0\\.1:${postgres.port} \\(POSTGRES_HOST is set\\)`));
      assert.equal(existsSync(join(dataDir, 'external', 'redis')), false, 'no private Redis');
      assert.equal(existsSync(join(dataDir, 'external', 'postgres')), false, 'no private PostgreSQL');
      const vote = await json(`http://127.0.0.1:${pollPort}/api/polls/default/votes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ option: 'a' }),
      });
      assert.equal(vote.status, 202);
      assert.equal((await resultsTotal(`http://127.0.0.1:${resultPort}`, 1)).total, 1);
      // The vote went through the external servers.
      const db = new pg.Client(postgres.connection);
      await db.connect();
      try {
        const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM votes');
        assert.equal(rows[0]?.n, '1');
      } finally {
        await db.end();
      }
      run.child.kill('SIGINT');
      assert.equal(await run.exit, 0);
    } finally {
      await redis.stop();
      await postgres.stop();
    }
  });

  it('names a taken port and the variable that moves it, before starting anything', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const run = start({ POLL_PORT: String(taken), BERNSTEIN_DATA_DIR: join(dataDir, 'taken') });
      running.push(run);
      assert.equal(await run.exit, 1);
      assert.equal(run.output().trim(), `bernstein: port ${taken} for poll is already in use on 127.0.0.1; stop what uses it or set POLL_PORT to another port`);
      assert.equal(existsSync(join(dataDir, 'taken', 'redis')), false, 'nothing was started');
    } finally {
      blocker.close();
    }
  });

  it('says in one line what to install when redis-server is missing', async () => {
    const emptyBin = mkdtempSync(join(tmpdir(), 'bernstein-empty-path-'));
    try {
      const run = start({
        PATH: emptyBin,
        BERNSTEIN_DATA_DIR: join(dataDir, 'missing'),
        LOCAL_REDIS_PORT: String(await freePort()),
        POLL_PORT: '0',
        RESULT_PORT: '0',
        WORKER_PORT: '0',
      });
      running.push(run);
      assert.equal(await run.exit, 1);
      const lines = run.output().trim().split('\n');
      assert.equal(lines.length, 1, `one line, got:\n${run.output()}`);
      assert.match(lines[0] ?? '', /^bernstein: redis-server was not found on PATH\. Install Redis/);
      assert.doesNotMatch(run.output(), /\n\s+at /, 'no stack trace');
    } finally {
      rmSync(emptyBin, { recursive: true, force: true });
    }
  });
});
