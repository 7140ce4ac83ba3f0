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
import { after, before, describe, it } from 'node:test';
import { signerFactory } from '@fastify/cookie';
import fc from 'fast-check';
import { anyMethod, assertDocumentedRefusal, BROKEN_HTTP, enc, headerValues, hostileStrings, injectAnswer, listenOnFreePort, oddPaths, pollSegments, PROPERTY_RUNS as RUNS, sendRaw } from '@bernstein/common/testing';
import { COOKIE_SECRET, POLLS, startHarness, type Harness } from './helpers.js';

const VALID_OPTIONS = new Set(POLLS.flatMap((p) => p.options.map((o) => o.id)));
const POLL_IDS = POLLS.map((p) => p.id);

// ── generators ────────────────────────────────────────────────────────────────────────────

/** Hostile strings, with near misses of the option `a`. */
const hostileString = hostileStrings(['a\u0000', 'A', ' a', 'a ']);
const headerValue = headerValues(hostileString);

/** An option value that is no option of any poll. */
const badOption = hostileString.filter((s) => !VALID_OPTIONS.has(s));

const { any: pollSegment, unknown: unknownPollSegment } = pollSegments(POLL_IDS, hostileString);

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
const anyCookie = fc.option(fc.oneof(forgedCookie, fc.constant('a=b; =; ;;'), headerValue), { nil: undefined });

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

  const inject = (method: string, url: string, headers: Record<string, string | undefined>, payload?: string) =>
    injectAnswer(h.app, method, url, headers, payload);

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
        fc.option(headerValue, { nil: undefined }),
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
    const url = oddPaths(['api', 'polls', 'votes', 'default'], hostileString);
    await fc.assert(
      fc.asyncProperty(anyMethod, url, fc.oneof(jsonTypes, otherTypes), hostileString, async (m, u, type, body) => {
        const res = await inject(m, u, { 'content-type': type }, m === 'GET' || m === 'HEAD' ? undefined : body);
        // A generated URL may name a real page (GET /polls/default): that is not a refusal.
        if (res.statusCode < 400 && (m === 'GET' || m === 'HEAD')) return;
        assertDocumentedRefusal(res, `${m} ${u.slice(0, 60)}`, m);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses bad requests over real HTTP too, raw bytes included, in the documented format', async () => {
    const port = await listenOnFreePort(h.app);
    const rawRequests = fc.oneof(
      // Well-formed HTTP with a bad vote.
      fc.tuple(pollSegment, fc.oneof(jsonTypes, otherTypes), badJsonBody).map(
        ([poll, type, body]) =>
          `POST /api/polls/${poll}/votes HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      ),
      // Broken HTTP, and broken framing of a vote.
      fc.constantFrom(
        ...BROKEN_HTTP,
        'POST /api/polls/default/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n',
        'POST /api/polls/default/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        'POST /api/polls/default/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"option":"a"}\r\n0\r\n\r\n',
        'POST /api/polls/default/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999\r\nConnection: close\r\n\r\n{}',
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
