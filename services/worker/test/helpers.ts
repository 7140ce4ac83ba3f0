/**
 * Shared pieces of the worker tests: a private PostgreSQL per suite, consumers with the tests'
 * settings, votes with known stream ids, and the expected tallies.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { pino } from 'pino';
import {
  compareStreamIds,
  createMetricsRegistry,
  Database,
  encodeVote,
  loadConfig,
  migrate,
  postgresVars,
  type Redis,
  type Vote,
} from '@bernstein/common';
import { PostgresServer } from '@bernstein/local';
import { Consumer, type ConsumerOptions } from '../src/consumer.js';
import { createWorkerMetrics, type WorkerMetrics } from '../src/metrics.js';

export const silent = pino({ level: 'silent' });

export function voterId(): string {
  return randomBytes(12).toString('base64url');
}

export interface Added {
  id: string;
  vote: Vote;
}

/** `count` votes from `voters` voters (so with re-votes when count > voters), options a–d. */
export function makeVotes(count: number, voters: number, poll = 'p1'): Vote[] {
  const ids = Array.from({ length: voters }, voterId);
  const options = ['a', 'b', 'c', 'd'];
  return Array.from({ length: count }, (_, i) => ({
    poll,
    voter: ids[Math.floor(Math.random() * voters)] as string,
    option: options[Math.floor(Math.random() * 4)] as string,
    at: Date.now() + i,
  }));
}

/** XADDs the votes, pipelined, and returns each with the id Redis acknowledged. */
export async function addVotes(redis: Redis, stream: string, votes: readonly Vote[]): Promise<Added[]> {
  const out: Added[] = [];
  for (let i = 0; i < votes.length; i += 1000) {
    const chunk = votes.slice(i, i + 1000);
    const pipe = redis.pipeline();
    for (const v of chunk) pipe.xadd(stream, '*', ...encodeVote(v));
    const replies = (await pipe.exec()) ?? [];
    replies.forEach(([err, id], j) => {
      if (err) throw err;
      out.push({ id: id as string, vote: chunk[j] as Vote });
    });
  }
  return out;
}

/** Tallies computed from the votes alone: per (poll, voter) the vote with the largest id. */
export function expectedTallies(added: readonly Added[]): Record<string, number> {
  const latest = new Map<string, Added>();
  for (const a of added) {
    const key = `${a.vote.poll}/${a.vote.voter}`;
    const seen = latest.get(key);
    if (!seen || compareStreamIds(a.id, seen.id) > 0) latest.set(key, a);
  }
  const tallies: Record<string, number> = {};
  for (const a of latest.values()) {
    const key = `${a.vote.poll}/${a.vote.option}`;
    tallies[key] = (tallies[key] ?? 0) + 1;
  }
  return tallies;
}

/** The tallies table as `{ "poll/option": votes }`, zero rows left out. */
export async function readTallies(db: Database): Promise<Record<string, number>> {
  const { rows } = await db.query<{ poll: string; option: string; votes: string }>('SELECT poll, option, votes FROM tallies');
  const out: Record<string, number> = {};
  for (const r of rows) if (Number(r.votes) !== 0) out[`${r.poll}/${r.option}`] = Number(r.votes);
  return out;
}

/** Same, counted from the votes table (the triggers must keep both equal). */
export async function talliesFromVotes(db: Database): Promise<Record<string, number>> {
  const { rows } = await db.query<{ poll: string; option: string; n: string }>(
    'SELECT poll, option, count(*) AS n FROM votes GROUP BY poll, option',
  );
  return Object.fromEntries(rows.map((r) => [`${r.poll}/${r.option}`, Number(r.n)]));
}

export function sorted(t: Record<string, number>): [string, number][] {
  return Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Both the tallies table and the counts of the votes table are exactly `expected`. */
export async function assertExactTallies(db: Database, expected: Record<string, number>): Promise<void> {
  assert.deepEqual(sorted(await readTallies(db)), sorted(expected));
  assert.deepEqual(sorted(await talliesFromVotes(db)), sorted(expected));
}

export function freshMetrics(): WorkerMetrics {
  return createWorkerMetrics(createMetricsRegistry('test'));
}

/** A consumer "w1" with the tests' settings (silent, fresh metrics, batches of 100, no trimming, claims after a minute); `options` for the rest. */
export function testConsumer(options: Pick<ConsumerOptions, 'redis' | 'db' | 'names'> & Partial<ConsumerOptions>): Consumer {
  return new Consumer({
    logger: silent,
    metrics: freshMetrics(),
    consumer: 'w1',
    batchSize: 100,
    blockMs: 100,
    claimIdleMs: 60_000,
    trimIntervalMs: 0,
    ...options,
  });
}

export interface TestPostgres {
  server: PostgresServer;
  /** The owner's connection (the server's superuser). */
  db: Database;
}

/**
 * A private PostgreSQL (not durable) for the suite that calls this, started before its tests and
 * stopped after them, with the schema unless `migrate` is false. Its fields are set once the
 * suite's `before` has run.
 */
export function usePostgres(opts: { migrate?: boolean } = {}): TestPostgres {
  const postgres = {} as TestPostgres;
  before(async () => {
    postgres.server = await PostgresServer.start({ durable: false });
    postgres.db = new Database(loadConfig(postgresVars, postgres.server.env), silent, 'test');
    if (opts.migrate !== false) await migrate(postgres.db, silent);
  });
  after(async () => {
    await postgres.db?.close();
    await postgres.server?.stop();
  });
  return postgres;
}

export async function counterValue(c: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await c.get()).values.reduce((s, v) => s + v.value, 0);
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** True when the group has delivered and acknowledged every entry of the stream. */
export async function drained(redis: Redis, stream: string): Promise<boolean> {
  const groups = (await redis.call('XINFO', 'GROUPS', stream)) as unknown[][];
  const g = groups.map((raw) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) o[String(raw[i])] = raw[i + 1];
    return o;
  }).find((x) => x.name === 'workers');
  return g !== undefined && g.pending === 0 && g.lag === 0;
}
