/**
 * Test harness: the poll app built from its real dependencies against a private Redis
 * started on a free port, plus a separate Redis client to inspect the stream.
 */
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import {
  createMetricsRegistry,
  createRedis,
  loadConfig,
  loadPolls,
  pollServiceSpec,
  Redis,
  type Logger,
  type Registry,
} from '@bernstein/common';
import { EntryProcess } from '@bernstein/common/testing';
import { RedisServer, waitFor } from '@bernstein/local';
import { buildApp, buildPollOpsApp, pollReadiness, type PollConfig } from '../src/app.js';

export const COOKIE_SECRET = 'test-secret-that-is-at-least-32-characters-long';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** Runs the poll server as its own process with exactly `env` (plus PATH and NODE_OPTIONS for tsx). */
export function startPollProcess(env: Record<string, string>): EntryProcess {
  return new EntryProcess(SERVER, env);
}

/** Two polls; the default one has a label that would run as script if not escaped. */
export const POLLS = [
  {
    id: 'default',
    question: 'Which pet <em>wins</em>?',
    options: [
      { id: 'a', label: '<script>alert("x")</script>' },
      { id: 'b', label: 'Dogs & "friends"' },
      { id: 'c', label: 'Birds' },
    ],
  },
  { id: 'lunch', question: 'Lunch?', options: [{ id: 'pizza', label: 'Pizza' }, { id: 'soup', label: 'Soup' }] },
];

export interface Harness {
  server: RedisServer;
  /** The app's own client (fail-fast, auto-pipelined), as server.ts makes it. */
  redis: Redis;
  /** An independent client for assertions. */
  inspect: Redis;
  app: FastifyInstance;
  /** The ops listener's app (/healthz, /readyz, /metrics), as server.ts runs it beside `app`. */
  ops: FastifyInstance;
  config: PollConfig;
  metrics: Registry;
  logLines: Record<string, unknown>[];
  streamLength(): Promise<number>;
  entries(): Promise<{ id: string; fields: Record<string, string> }[]>;
  close(): Promise<void>;
}

/** A logger that keeps its JSON lines in memory (assertions on warnings). */
export function memoryLogger(level = 'warn'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

export async function startRedis(): Promise<RedisServer> {
  return RedisServer.start();
}

/** Builds the app on `server` (a fresh private Redis when omitted) with `env` on top of the defaults. */
export async function startHarness(
  env: Record<string, string> = {},
  server?: RedisServer,
  opts: { logLevel?: string } = {},
): Promise<Harness> {
  const redisServer = server ?? (await startRedis());
  const config = loadConfig(pollServiceSpec, {
    ...redisServer.env,
    POLLS: JSON.stringify(POLLS),
    COOKIE_SECRET,
    ...env,
  });
  const { logger, lines } = memoryLogger(opts.logLevel);
  const redis = createRedis(config, logger, { name: 'poll-test', failFast: true, autoPipelining: true, commandTimeoutMs: 2000 });
  const inspect = new Redis({ host: redisServer.host, port: redisServer.port, maxRetriesPerRequest: 1 });
  inspect.on('error', () => undefined);
  await waitFor('poll redis client', async () => {
    if (redis.status !== 'ready') throw new Error(redis.status);
  });
  const metrics = createMetricsRegistry('poll');
  const app = buildApp({ config, redis, polls: loadPolls(config), logger, metrics });
  const ops = buildPollOpsApp({ logger, metrics, readiness: pollReadiness() });
  await app.ready();
  await ops.ready();
  const stream = config.votesStream;
  return {
    server: redisServer,
    redis,
    inspect,
    app,
    ops,
    config,
    metrics,
    logLines: lines,
    streamLength: () => inspect.xlen(stream),
    async entries() {
      const raw = await inspect.xrange(stream, '-', '+');
      return raw.map(([id, fields]) => {
        const out: Record<string, string> = {};
        for (let i = 0; i < fields.length; i += 2) out[fields[i] as string] = fields[i + 1] as string;
        return { id, fields: out };
      });
    },
    async close() {
      await app.close();
      await ops.close();
      redis.disconnect();
      inspect.disconnect();
      if (server === undefined) {
        await redisServer.stop();
        rmSync(redisServer.dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The harness of the suite that calls this: started before its tests, closed after them. Its
 * fields are set once the suite's `before` has run.
 */
export function useHarness(env: Record<string, string> = {}, opts: { logLevel?: string } = {}): Harness {
  const h = {} as Harness;
  before(async () => {
    Object.assign(h, await startHarness(env, undefined, opts));
  });
  after(async () => {
    await h.close?.();
  });
  return h;
}

/** The `name=value` pairs a response sets, by cookie name (attributes kept raw). */
export function setCookies(headers: Record<string, unknown>): Map<string, string> {
  const raw = headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [raw as string];
  return new Map(list.map((c) => [c.slice(0, c.indexOf('=')), c]));
}

/** The cookie value (between `=` and the first `;`) of a Set-Cookie line, decoded. */
export function cookieValue(setCookie: string): string {
  return decodeURIComponent(setCookie.slice(setCookie.indexOf('=') + 1, setCookie.indexOf(';')));
}

/** What a browser sends back for a Set-Cookie line: `name=value` exactly as set. */
export function cookieHeader(setCookie: string): string {
  return setCookie.slice(0, setCookie.indexOf(';'));
}

export const JSON_HEADERS = { 'content-type': 'application/json' };
export const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

/** What the API says about a poll of the configuration: always open, open access, no dates. */
export function configured(poll: (typeof POLLS)[number] | undefined) {
  return {
    ...poll,
    status: 'open',
    access: 'open',
    closesAt: null,
    closedAt: null,
    createdAt: null,
    archived: false,
    managedBy: 'configuration',
  };
}
