/**
 * Test harness of the result service: a private PostgreSQL with the schema, votes written the
 * way the worker writes them (the triggers maintain tallies and NOTIFY), in-process result
 * instances listening on free ports, and a small Server-Sent Events reader over real HTTP.
 */
import { EventEmitter } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { catalog, createLogger, createMetricsRegistry, Database, migrate, type PollCatalog } from '@bernstein/common';
import { PostgresServer } from '@bernstein/local';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../src/app.js';
import { buildApp, buildResultOpsApp, talliesReadiness } from '../src/app.js';
import { TalliesListener } from '../src/listener.js';
import { createResultMetrics, type ResultMetrics } from '../src/metrics.js';
import type { Results } from '../src/results.js';
import { TalliesStore } from '../src/tallies-store.js';

export const logger = createLogger('result-test', process.env.TEST_LOG_LEVEL ?? 'silent');

export const testPolls: PollCatalog = catalog([
  {
    id: 'default',
    question: 'Which do you prefer?',
    options: [
      { id: 'a', label: 'Cats' },
      { id: 'b', label: 'Dogs' },
      { id: 'c', label: 'Birds' },
      { id: 'd', label: 'Fish' },
    ],
  },
  {
    id: 'lunch',
    question: 'Lunch today?',
    options: [
      { id: 'pizza', label: 'Pizza' },
      { id: 'ramen', label: 'Ramen <hot>' },
    ],
  },
]);

export interface TestDatabase {
  server: PostgresServer;
  db: Database;
  connection: { postgresHost: string; postgresPort: number; postgresDb: string; postgresUser: string; postgresPassword: string };
  close(): Promise<void>;
}

export async function startDatabase(): Promise<TestDatabase> {
  const server = await PostgresServer.start({ durable: false });
  const connection = {
    postgresHost: server.host,
    postgresPort: server.port,
    postgresDb: server.connection.database,
    postgresUser: server.connection.user,
    postgresPassword: server.connection.password,
  };
  const db = new Database(connection, logger, 'result-test');
  await migrate(db, logger);
  return {
    server,
    db,
    connection,
    async close() {
      await db.close().catch(() => undefined);
      await server.stop();
    },
  };
}

let streamMs = Date.now();

/** Writes votes with the worker's upsert: last vote wins by stream id. One transaction. */
export async function castVotes(db: Database, votes: { poll: string; voter: string; option: string }[]): Promise<void> {
  const params: unknown[] = [];
  const rows = votes.map((v, i) => {
    params.push(v.poll, v.voter, v.option, ++streamMs);
    const b = i * 4;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}::bigint, 0, now())`;
  });
  await db.query(
    `INSERT INTO votes AS v (poll, voter, option, stream_ms, stream_seq, voted_at) VALUES ${rows.join(', ')}
     ON CONFLICT (poll, voter) DO UPDATE SET option = excluded.option, stream_ms = excluded.stream_ms,
       stream_seq = excluded.stream_seq, voted_at = excluded.voted_at, recorded_at = now()
     WHERE (v.stream_ms, v.stream_seq) < (excluded.stream_ms, excluded.stream_seq)`,
    params,
  );
}

export async function castVote(db: Database, poll: string, voter: string, option: string): Promise<void> {
  await castVotes(db, [{ poll, voter, option }]);
}

/** A voter id that matches the contract's VOTER_ID. */
export function voterId(n: number): string {
  return `voter-${String(n).padStart(12, '0')}`;
}

export interface ResultInstance {
  app: FastifyInstance;
  /** The ops listener's app (/healthz, /readyz, /metrics) on its own port. */
  ops: FastifyInstance;
  opsUrl: string;
  store: TalliesStore;
  listener: TalliesListener;
  metrics: ResultMetrics;
  url: string;
  close(): Promise<void>;
}

/** A complete result instance (store, listener, HTTP) on a free port of 127.0.0.1. */
export async function startResult(
  database: TestDatabase,
  opts: { coalesceMs?: number; polls?: PollCatalog; db?: Database; app?: Partial<Omit<AppDeps, 'tallies' | 'logger' | 'metrics'>> } = {},
): Promise<ResultInstance> {
  const metrics = createResultMetrics(createMetricsRegistry('result'));
  const db = opts.db ?? database.db;
  const store = new TalliesStore(db, opts.polls ?? testPolls, metrics, logger);
  const listener = new TalliesListener({
    connection: database.connection,
    store,
    coalesceMs: opts.coalesceMs ?? 20,
    logger,
    metrics,
    minBackoffMs: 50,
    maxBackoffMs: 300,
  });
  const app = buildApp({ ...opts.app, tallies: store, logger, metrics });
  const ops = buildResultOpsApp({ logger, metrics, readiness: talliesReadiness(store) });
  listener.start();
  await app.listen({ host: '127.0.0.1', port: 0 });
  await ops.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    ops,
    store,
    listener,
    metrics,
    url: `http://127.0.0.1:${portOf(app)}`,
    opsUrl: `http://127.0.0.1:${portOf(ops)}`,
    async close() {
      await app.close();
      await ops.close();
      await listener.close();
    },
  };
}

/** Two result instances on one database, resolved once both listen for its notifications. */
export async function startTwoResults(database: TestDatabase): Promise<[ResultInstance, ResultInstance]> {
  const one = await startResult(database);
  const two = await startResult(database);
  await untilListening(one, two);
  return [one, two];
}

/** Resolves once every instance's listener hears the database's notifications. */
export async function untilListening(...results: ResultInstance[]): Promise<void> {
  await eventually('listeners', () => (results.every((r) => r.listener.state === 'listening') ? true : undefined));
}

/** `count` votes for each option of `poll`, from voters 0, 1, 2, … in the order given. */
export function votesFor(poll: string, counts: readonly (readonly [option: string, count: number])[]): { poll: string; voter: string; option: string }[] {
  return counts.flatMap(([option, count]) => Array.from({ length: count }, () => option)).map((option, i) => ({ poll, voter: voterId(i), option }));
}

/** Waits until a result process answers 200 on /readyz of its ops port. */
export async function untilReady(opsPort: number): Promise<void> {
  await eventually('result to be ready', async () =>
    (await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined,
  );
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/** Polls `check` until it returns a value (not undefined); fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Reads an event stream over real HTTP and keeps every event, comment and retry hint. */
export class SseReader extends EventEmitter {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  readonly retries: number[] = [];
  response!: IncomingMessage;
  ended = false;
  private buffer = '';
  private readonly req;

  private constructor(url: string) {
    super();
    this.req = request(url, { headers: { accept: 'text/event-stream' } });
  }

  static async open(url: string): Promise<SseReader> {
    const reader = new SseReader(url);
    await new Promise<void>((resolve, reject) => {
      reader.req.on('error', reject);
      reader.req.on('response', (res) => {
        reader.response = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => reader.feed(chunk));
        res.on('end', () => reader.finish());
        res.on('error', () => reader.finish());
        resolve();
      });
      reader.req.end();
    });
    return reader;
  }

  get results(): Results[] {
    return this.events.filter((e) => e.event === 'results').map((e) => JSON.parse(e.data) as Results);
  }

  get last(): Results | undefined {
    return this.results.at(-1);
  }

  /** Resolves with the first results event (from index `from`) that satisfies `predicate`. */
  async waitFor(predicate: (r: Results) => boolean, timeoutMs = 15_000, from = 0): Promise<Results> {
    return eventually('an SSE results event', () => this.results.slice(from).find(predicate), timeoutMs);
  }

  async waitEnd(timeoutMs = 15_000): Promise<void> {
    await eventually('the end of the event stream', () => (this.ended ? true : undefined), timeoutMs);
  }

  close(): void {
    this.req.destroy();
    this.ended = true;
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        else if (line.startsWith('retry:')) this.retries.push(Number(line.slice(6).trim()));
      }
      if (data.length > 0) {
        this.events.push({ event, data: data.join('\n') });
        this.emit('event');
      }
    }
  }

  private finish(): void {
    this.ended = true;
    this.emit('end');
  }
}
