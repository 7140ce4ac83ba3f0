/**
 * Property-based tests (fast-check) of every HTTP route of result against a real PostgreSQL:
 * at least 10,000 generated bad requests per route family through `inject()`, then a smaller
 * set over real HTTP, raw bytes included. Every answer is a 4xx in the documented format
 * (JSON on API paths, an HTML page elsewhere) with the security headers, never a 5xx or a
 * stack trace, and the tallies do not move.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { castVote, logger, startDatabase, testPolls, voterId, type TestDatabase } from './helpers.js';
import { buildApp } from '../src/app.js';
import { createResultMetrics } from '../src/metrics.js';
import { TalliesStore } from '../src/tallies-store.js';
import { createMetricsRegistry } from '@bernstein/common';

const RUNS = Number(process.env.BERNSTEIN_PROPERTY_RUNS ?? 10_000);
const POLL_IDS = testPolls.polls.map((p) => p.id);

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

function assertDocumentedRefusal(res: Answer, what: string, method = 'GET'): void {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${what}: a 4xx, got ${res.statusCode} ${res.body.slice(0, 300)}`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, `${what}: CSP`);
  assert.doesNotMatch(res.body, /\n\s+at .+:\d+:\d+|node_modules|\/src\/|Error: /, `${what}: no stack trace`);
  if (method === 'HEAD') return;
  const type = String(res.headers['content-type']);
  if (type.startsWith('application/json')) {
    const body = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
    assert.deepEqual(Object.keys(body), ['error'], `${what}: ${res.body}`);
    assert.deepEqual(Object.keys(body.error ?? {}).sort(), ['code', 'message'], `${what}: ${res.body}`);
    assert.match(String(body.error?.code), /^[A-Z][A-Z_]+$/, `${what}: a stable code`);
  } else {
    assert.match(type, /^text\/html; charset=utf-8/, `${what}: JSON or an HTML page, got ${type}`);
    assert.match(res.body, /^<!doctype html>/, what);
  }
}

function enc(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const hostileString = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 4 },
  { arbitrary: fc.constantFrom('', '\u0000', '<script>alert(1)</script>', '..', '%00', '%', '\uD800', 'DEFAULT', 'default ', '__proto__'), weight: 3 },
  { arbitrary: fc.constantFrom(101, 250, 5_000, 70_000).map((n) => 'x'.repeat(n)), weight: 1 },
);
const pollSegment = fc.oneof(fc.constantFrom(...POLL_IDS), hostileString.map(enc), fc.constantFrom('%zz', '%E0%A4%A', '%', '%00', 'x'.repeat(150)));
// Dot segments are resolved by every URL client (`/polls/..` is `/`): not a poll name.
const unknownPollSegment = pollSegment.filter((s) => !POLL_IDS.includes(decodeSafe(s)) && !['.', '..'].includes(decodeSafe(s)));
const headerValue = hostileString.map((s) => s.replace(/[\r\n]/g, ''));
const methods = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'SEARCH');

describe('result under hostile input (property-based, real PostgreSQL)', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let talliesBefore: unknown;
  const tallies = async () => (await database.db.query('SELECT poll, option, votes FROM tallies ORDER BY poll, option')).rows;

  before(async () => {
    database = await startDatabase();
    await castVote(database.db, 'default', voterId(1), 'b');
    await castVote(database.db, 'lunch', voterId(2), 'pizza');
    const metrics = createResultMetrics(createMetricsRegistry('result'));
    const store = new TalliesStore(database.db, testPolls, metrics, logger);
    await store.reloadAll();
    app = buildApp({ tallies: store, logger, metrics });
    await app.ready();
    talliesBefore = await tallies();
  });
  after(async () => {
    await app?.close();
    await database?.close();
  });

  async function inject(method: string, url: string, headers: Record<string, string | undefined>, payload?: string): Promise<Answer> {
    const clean = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
    const res = await app.inject({ method: method as 'GET', url, headers: clean, ...(payload === undefined ? {} : { payload }) });
    return { statusCode: res.statusCode, headers: res.headers, body: res.body };
  }

  it(`answers ${RUNS} requests for unknown polls on every poll route with 404s`, async () => {
    const route = fc.constantFrom('/polls/%s', '/api/polls/%s/results', '/api/polls/%s/events');
    await fc.assert(
      fc.asyncProperty(route, unknownPollSegment, fc.constantFrom('GET', 'HEAD'), fc.option(headerValue, { nil: undefined }), async (r, poll, method, accept) => {
        const url = r.replace('%s', poll);
        const res = await inject(method, url, { accept, 'last-event-id': accept, cookie: accept });
        assertDocumentedRefusal(res, `${method} ${url.slice(0, 60)}`, method);
      }),
      { numRuns: RUNS },
    );
  });

  it(`refuses ${RUNS} writes and odd methods on every route, bodies of any type included`, async () => {
    const route = fc.constantFrom('/', '/polls/%s', '/api/polls/%s/results', '/api/polls/%s/events');
    const writeMethods = fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'SEARCH');
    const type = fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', ''), headerValue);
    await fc.assert(
      fc.asyncProperty(route, pollSegment, writeMethods, type, hostileString, async (r, poll, method, contentType, body) => {
        const url = r.replace('%s', poll);
        const res = await inject(method, url, { 'content-type': contentType }, body);
        assertDocumentedRefusal(res, `${method} ${url.slice(0, 60)}`, method);
      }),
      { numRuns: RUNS },
    );
  });

  it(`never fails on ${RUNS} odd queries and headers on the pages and the results API`, async () => {
    const query = fc.oneof(fc.constant(''), hostileString.map((s) => `?x=${enc(s)}`), fc.constantFrom('?%', '?%zz=1', '?a[]=1&a=2', `?q=${'a'.repeat(3000)}`));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/', '/polls/default', '/polls/lunch', '/api/polls/default/results', '/api/polls/lunch/results'),
        query,
        fc.option(headerValue, { nil: undefined }),
        async (path, q, value) => {
          const res = await inject('GET', `${path}${q}`, { accept: value, cookie: value, 'x-forwarded-proto': value, 'x-forwarded-for': value });
          if (res.statusCode >= 400) assertDocumentedRefusal(res, `GET ${path}${q.slice(0, 40)}`);
          else assert.equal(res.statusCode, 200, `GET ${path}${q.slice(0, 40)}: ${res.body.slice(0, 200)}`);
          assert.equal(res.headers['x-content-type-options'], 'nosniff');
          assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS from a forwarded header of an untrusted peer');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`refuses ${RUNS} odd URLs in the documented format`, async () => {
    const segment = fc.oneof(
      fc.constantFrom('api', 'polls', 'results', 'events', 'default', '..', '.', '', '%2e%2e', '%zz', '%', '%00', '%2F', 'metrics', 'readyz', 'healthz', 'x'.repeat(300)),
      hostileString.map(enc),
    );
    const url = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
    await fc.assert(
      fc.asyncProperty(methods, url, async (m, u) => {
        // A valid event stream would be held open: it is not what this property is about.
        if (/^\/api\/polls\/(default|lunch)\/events$/.test(u) && m === 'GET') return;
        const res = await inject(m, u, {});
        if (res.statusCode < 400 && (m === 'GET' || m === 'HEAD')) return;
        assertDocumentedRefusal(res, `${m} ${u.slice(0, 60)}`, m);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses bad requests over real HTTP too, raw bytes included, in the documented format', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const raw = fc.oneof(
      fc.tuple(fc.constantFrom('/polls/%s', '/api/polls/%s/results', '/api/polls/%s/events'), unknownPollSegment).map(
        ([r, poll]) => `GET ${r.replace('%s', poll)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      ),
      fc.constantFrom(
        'GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
        'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
        'GET\u0000/ HTTP/1.1\r\n\r\n',
        'NOT HTTP AT ALL\r\n\r\n',
        'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
        'POST /api/polls/default/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (request) => {
        assertDocumentedRefusal(await sendRaw(port, request), JSON.stringify(request.slice(0, 80)));
      }),
      { numRuns: 300 },
    );
  });

  it('moved no tally', async () => {
    assert.deepEqual(await tallies(), talliesBefore);
  });
});

function sendRaw(port: number, raw: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (!status) {
        reject(new Error(`no HTTP answer to ${JSON.stringify(raw.slice(0, 80))}: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ statusCode: Number(status[1]), headers, body: rest.join('\r\n\r\n') });
    });
    // Half-close: the server sees the end of the request, answers, and closes.
    socket.end(raw, 'latin1');
  });
}
