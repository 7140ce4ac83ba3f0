/**
 * Property-based tests (fast-check) of every HTTP route of poll against a real Redis: at
 * least 10,000 generated bad requests per route family through `inject()` (wrong types,
 * huge and unicode strings, NUL, missing fields, forged and truncated cookies, wrong content
 * types and charsets, odd methods and URLs), then a smaller set over real HTTP, raw bytes
 * included. Every answer is a 4xx in the documented format (JSON `{"error":{"code","message"}}`
 * on API paths, an HTML page elsewhere) with the security headers, never a 5xx or a stack
 * trace, and the vote stream does not grow by a single entry.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { signerFactory } from '@fastify/cookie';
import fc from 'fast-check';
import { COOKIE_SECRET, POLLS, startHarness, type Harness } from './helpers.js';

/** Runs per route family; BERNSTEIN_PROPERTY_RUNS raises it for a longer hunt. */
const RUNS = Number(process.env.BERNSTEIN_PROPERTY_RUNS ?? 10_000);
const VALID_OPTIONS = new Set(POLLS.flatMap((p) => p.options.map((o) => o.id)));
const POLL_IDS = POLLS.map((p) => p.id);

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/** What every refusal must look like. `method` HEAD has no body to check. */
export function assertDocumentedRefusal(res: Answer, what: string, method = 'GET'): void {
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
    assert.equal(typeof body.error?.message, 'string');
  } else {
    assert.match(type, /^text\/html; charset=utf-8/, `${what}: JSON or an HTML page, got ${type}`);
    assert.match(res.body, /^<!doctype html>/, what);
  }
}

// ── generators ────────────────────────────────────────────────────────────────────────────

/** Strings an attacker would try: unicode, NUL and control characters, huge, markup, JSON. */
const hostileString = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 4 },
  {
    arbitrary: fc.constantFrom('', '\u0000', 'a\u0000', '<script>alert(1)</script>', '../../etc/passwd', '%00', '%', '\uFEFFa', '\uD800', 'A', ' a', 'a ', '__proto__', 'constructor'),
    weight: 3,
  },
  // Huge: past the body limit, past Fastify's 100-character URL parameters, up to 70 kB.
  { arbitrary: fc.constantFrom(101, 250, 5_000, 70_000).map((n) => 'x'.repeat(n)), weight: 1 },
);

/** An option value that is no option of any poll. */
const badOption = hostileString.filter((s) => !VALID_OPTIONS.has(s));

/** A poll segment for a URL: an existing poll, or anything else (encoded, or raw and broken). */
const pollSegment = fc.oneof(
  fc.constantFrom(...POLL_IDS),
  hostileString.map((s) => enc(s)),
  fc.constantFrom('%zz', '%E0%A4%A', '%', '%00', 'DEFAULT', 'default%20', 'x'.repeat(150)),
);
// Dot segments are resolved by every URL client (`/polls/..` is `/`): not a poll name.
const unknownPollSegment = pollSegment.filter((s) => !POLL_IDS.includes(decodeSafe(s)) && !['.', '..'].includes(decodeSafe(s)));

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD, as a browser sends them). */
export function enc(s: string): string {
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

const jsonTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'Application/JSON',
);
const otherTypes = fc.oneof(
  fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'json', ''),
  fc.string({ maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')),
);

/** JSON bodies that are never a valid vote. */
const badJsonBody = fc.oneof(
  fc.jsonValue().filter((v) => !isVote(v)).map((v) => JSON.stringify(v) ?? 'null'),
  badOption.map((option) => JSON.stringify({ option })),
  fc.record({ option: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object()) }).map((b) => JSON.stringify(b)),
  fc.constantFrom('', '{', '{"option":', '{"option":"a"', 'null', '[]', '{"option":"a","x":1}', '{"__proto__":{"option":"a"}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000', '{"option":"a\u0000"}'),
  fc.constant(`{"option":"${'a'.repeat(5000)}"}`),
);

function isVote(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && VALID_OPTIONS.has((v as { option?: unknown }).option as string);
}

/** Voter cookies that must never verify: random, signed with another key, or cut short. */
const forgedCookie = fc.oneof(
  // An empty value is no cookie at all (a new voter), not a forged one.
  hostileString.filter((s) => s.trim().length > 0).map((s) => `bernstein_voter=${enc(s)}`),
  fc.string({ minLength: 16, maxLength: 40, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-') }).chain((id) =>
    fc.oneof(
      fc.constant(`bernstein_voter=${enc(signerFactory('another-key-that-is-at-least-32-chars').sign(id))}`),
      fc.nat({ max: 20 }).map((cut) => {
        const genuine = signerFactory(COOKIE_SECRET).sign(id);
        return `bernstein_voter=${enc(genuine.slice(0, genuine.length - 1 - cut))}`;
      }),
    ),
  ),
);
const anyCookie = fc.option(fc.oneof(forgedCookie, fc.constant('a=b; =; ;;'), hostileString.map((s) => s.replace(/[\r\n]/g, ''))), { nil: undefined });

describe('poll under hostile input (property-based, real Redis)', () => {
  let h: Harness;
  let streamBefore = 0;
  before(async () => {
    h = await startHarness();
    streamBefore = await h.streamLength();
  });
  after(async () => {
    await h?.close();
  });

  async function inject(method: string, url: string, headers: Record<string, string | undefined>, payload?: string): Promise<Answer> {
    const clean = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
    const res = await h.app.inject({ method: method as 'GET', url, headers: clean, ...(payload === undefined ? {} : { payload }) });
    return { statusCode: res.statusCode, headers: res.headers, body: res.body };
  }

  it(`refuses ${RUNS} bad votes on POST /api/polls/:poll/votes`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // A bad body, whatever the rest.
          fc.tuple(pollSegment, fc.oneof(jsonTypes, otherTypes), badJsonBody, anyCookie),
          // A valid body with something else wrong: an unknown poll, a non-JSON type, a forged cookie.
          fc.tuple(unknownPollSegment, jsonTypes, fc.constant('{"option":"a"}'), anyCookie),
          fc.tuple(fc.constantFrom(...POLL_IDS), otherTypes, fc.constant('{"option":"a"}'), anyCookie),
          fc.tuple(fc.constantFrom('default'), fc.constant('application/json'), fc.constant('{"option":"a"}'), forgedCookie),
        ),
        async ([poll, type, body, cookie]) => {
          const res = await inject('POST', `/api/polls/${poll}/votes`, { 'content-type': type, cookie }, body);
          assertDocumentedRefusal(res, `POST /api/polls/${poll.slice(0, 40)}/votes ${type} ${body.slice(0, 60)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`refuses ${RUNS} bad form votes on POST / and POST /polls/:poll`, async () => {
    const formBody = fc.oneof(
      badOption.map((v) => `vote=${enc(v)}`),
      fc.constantFrom('', 'vote=', 'vote', 'vote=%', 'vote=%zz', 'vote[]=a', 'vote=a&vote=b', 'vote[a]=1', '=a', '&&&', `vote=${'a'.repeat(5000)}`),
      hostileString,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(fc.oneof(fc.constant(''), pollSegment.map((p) => `polls/${p}`)), fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8'), formBody, anyCookie),
          fc.tuple(fc.oneof(fc.constant(''), pollSegment.map((p) => `polls/${p}`)), otherTypes.filter((t) => !t.startsWith('application/x-www-form-urlencoded')), fc.constant('vote=a'), anyCookie),
          fc.tuple(unknownPollSegment.map((p) => `polls/${p}`), fc.constant('application/x-www-form-urlencoded'), fc.constant('vote=a'), anyCookie),
          fc.tuple(fc.constantFrom('', 'polls/default'), fc.constant('application/x-www-form-urlencoded'), fc.constant('vote=a'), forgedCookie),
        ),
        async ([path, type, body, cookie]) => {
          const res = await inject('POST', `/${path}`, { 'content-type': type, cookie }, body);
          assertDocumentedRefusal(res, `POST /${path.slice(0, 40)} ${type} ${body.slice(0, 60)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`answers ${RUNS} reads of unknown polls on GET /api/polls/:poll and GET /polls/:poll with 404s`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/polls/', '/polls/'), unknownPollSegment, anyCookie, fc.constantFrom('GET', 'HEAD'), async (prefix, poll, cookie, method) => {
        const res = await inject(method, `${prefix}${poll}`, { cookie });
        assertDocumentedRefusal(res, `${method} ${prefix}${poll.slice(0, 40)}`, method);
      }),
      { numRuns: RUNS },
    );
  });

  it(`never fails on ${RUNS} odd queries, headers and cookies on GET /, GET /api/polls and GET /polls/:poll`, async () => {
    const query = fc.oneof(
      fc.constant(''),
      hostileString.map((s) => `?voted=${enc(s)}`),
      fc.constantFrom('?voted=%zz', '?voted[]=a', '?voted=a&voted=b', '?%', '?=', `?voted=${'a'.repeat(3000)}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/', '/api/polls', '/polls/default', '/polls/lunch', '/api/polls/default'),
        query,
        anyCookie,
        fc.option(hostileString.map((s) => s.replace(/[\r\n]/g, '')), { nil: undefined }),
        async (path, q, cookie, accept) => {
          const res = await inject('GET', `${path}${q}`, { cookie, accept, 'accept-language': accept });
          if (res.statusCode >= 400) assertDocumentedRefusal(res, `GET ${path}${q.slice(0, 40)}`);
          else assert.equal(res.statusCode, 200, `GET ${path}${q.slice(0, 40)}: ${res.body.slice(0, 200)}`);
          assert.equal(res.headers['x-content-type-options'], 'nosniff');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`refuses ${RUNS} odd methods and URLs in the documented format`, async () => {
    const segment = fc.oneof(
      fc.constantFrom('api', 'polls', 'votes', 'default', '..', '.', '', '%2e%2e', '%zz', '%', '%00', '%2F', 'metrics', 'readyz', 'healthz', 'x'.repeat(300)),
      hostileString.map((s) => enc(s)),
    );
    const url = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'SEARCH');
    await fc.assert(
      fc.asyncProperty(method, url, fc.oneof(jsonTypes, otherTypes), hostileString, async (m, u, type, body) => {
        const res = await inject(m, u, { 'content-type': type }, m === 'GET' || m === 'HEAD' ? undefined : body);
        // A generated URL may name a real page (GET /polls/default): that is not a refusal.
        if (res.statusCode < 400 && (m === 'GET' || m === 'HEAD')) return;
        assertDocumentedRefusal(res, `${m} ${u.slice(0, 60)}`, m);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses bad requests over real HTTP too, raw bytes included, in the documented format', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const rawRequests = fc.oneof(
      // Well-formed HTTP with a bad vote.
      fc.tuple(pollSegment, fc.oneof(jsonTypes, otherTypes), badJsonBody).map(
        ([poll, type, body]) =>
          `POST /api/polls/${poll}/votes HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      ),
      // Broken HTTP: bad request lines, header names and values, lengths, huge headers or URLs.
      fc.constantFrom(
        'GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        'GET /api/polls/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
        'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\nConnection: close\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\nConnection: close\r\n\r\n',
        'GET\u0000/ HTTP/1.1\r\n\r\n',
        'NOT HTTP AT ALL\r\n\r\n',
        'POST /api/polls/default/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n',
        'POST /api/polls/default/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'POST /api/polls/default/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"option":"a"}\r\n0\r\n\r\n',
        'POST /api/polls/default/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999\r\nConnection: close\r\n\r\n{}',
        'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
      ),
    );
    await fc.assert(
      fc.asyncProperty(rawRequests, async (raw) => {
        const answer = await sendRaw(port, raw);
        assertDocumentedRefusal(answer, JSON.stringify(raw.slice(0, 80)));
      }),
      { numRuns: 300 },
    );
  });

  it('wrote nothing: the vote stream did not grow', async () => {
    assert.equal(await h.streamLength(), streamBefore);
  });
});

/** Sends raw bytes and reads the answer until the server closes (or 3 s pass). */
export function sendRaw(port: number, raw: string): Promise<Answer> {
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
      let body = rest.join('\r\n\r\n');
      if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
      resolve({ statusCode: Number(status[1]), headers, body });
    });
    // Half-close: the server sees the end of the request, answers, and closes.
    socket.end(raw, 'latin1');
  });
}

function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const end = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, end), 16);
    if (!(size > 0)) return out;
    out += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 4 + size);
  }
}
