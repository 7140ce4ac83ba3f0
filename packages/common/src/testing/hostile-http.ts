/**
 * The hostile HTTP input of the property-based tests of poll and result: generators of what an
 * attacker sends (strings, poll segments, URLs, methods, broken raw requests), the ways to send
 * it (`inject()` or raw bytes over a socket), and the one assertion every refusal must pass: a
 * 4xx in the documented format with the security headers, never a 5xx or a stack trace.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import fc, { type Arbitrary } from 'fast-check';
import type { FastifyInstance } from 'fastify';

/** Generated inputs per route family; BERNSTEIN_PROPERTY_RUNS raises it for a longer hunt. */
export const PROPERTY_RUNS = Number(process.env.BERNSTEIN_PROPERTY_RUNS ?? 10_000);

/** An HTTP answer, from `inject()` or read off a socket. */
export interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/**
 * What every refusal must look like: a 4xx with nosniff and the CSP, no stack trace, and a body
 * that is JSON `{"error":{"code","message"}}` or an HTML page. `method` HEAD has no body to check.
 */
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
    assert.equal(typeof body.error?.message, 'string', `${what}: a message`);
  } else {
    assert.match(type, /^text\/html; charset=utf-8/, `${what}: JSON or an HTML page, got ${type}`);
    assert.match(res.body, /^<!doctype html>/, what);
  }
}

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD, as a browser sends them). */
export function enc(s: string): string {
  // The UTF-8 round trip replaces lone surrogates (encodeURIComponent would throw on them);
  // encodeURIComponent leaves !'()* as they are, which this encodes too. A loop over the bytes
  // did the same at a tenth of the speed, and the property tests call this on 70 kB strings.
  const wellFormed = Buffer.from(s, 'utf8').toString('utf8');
  return encodeURIComponent(wellFormed).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `decodeURIComponent`, or `s` itself where it is no valid escape. */
export function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Strings an attacker would try: unicode, NUL and control characters, markup, paths, prototype
 * keys, and huge ones; `nearMisses` adds the service's own (a valid value with a twist).
 */
export function hostileStrings(nearMisses: readonly string[] = []): Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 4 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 4 },
    {
      arbitrary: fc.constantFrom('', '\u0000', '<script>alert(1)</script>', '../../etc/passwd', '..', '%00', '%', '\uFEFFa', '\uD800', '__proto__', 'constructor', ...nearMisses),
      weight: 3,
    },
    // Huge: past the body limit, past Fastify's 100-character URL parameters, up to 70 kB.
    { arbitrary: fc.constantFrom(101, 250, 5_000, 70_000).map((n) => 'x'.repeat(n)), weight: 1 },
  );
}

/** The strings as a header value: without CR and LF, which no client can send in one. */
export function headerValues(strings: Arbitrary<string>): Arbitrary<string> {
  return strings.map((s) => s.replace(/[\r\n]/g, ''));
}

/**
 * Poll segments for a URL: `any` is an existing poll or anything else (encoded, or raw and
 * broken, or a poll id in the wrong case or with a space); `unknown` names no poll.
 */
export function pollSegments(pollIds: readonly string[], strings: Arbitrary<string>): { any: Arbitrary<string>; unknown: Arbitrary<string> } {
  const any = fc.oneof(
    fc.constantFrom(...pollIds),
    strings.map(enc),
    fc.constantFrom('%zz', '%E0%A4%A', '%', '%00', 'x'.repeat(150), ...pollIds.flatMap((id) => [id.toUpperCase(), `${id}%20`])),
  );
  // Dot segments are resolved by every URL client (`/polls/..` is `/`): not a poll name.
  const unknown = any.filter((s) => !pollIds.includes(decodeSafe(s)) && !['.', '..'].includes(decodeSafe(s)));
  return { any, unknown };
}

/** Paths of one to six segments: the service's own `words`, dot segments, bad escapes, the ops paths, hostile strings. */
export function oddPaths(words: readonly string[], strings: Arbitrary<string>): Arbitrary<string> {
  const segment = fc.oneof(
    fc.constantFrom(...words, '..', '.', '', '%2e%2e', '%zz', '%', '%00', '%2F', 'metrics', 'readyz', 'healthz', 'x'.repeat(300)),
    strings.map(enc),
  );
  return fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
}

/** Every method a client might send, the ones no route takes included. */
export const anyMethod = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'SEARCH');

/** Broken HTTP: bad request lines, header names and values, huge headers or URLs, an unknown version. */
export const BROKEN_HTTP: readonly string[] = [
  'GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'GET /api/polls/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
  'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\nConnection: close\r\n\r\n',
  // The same without Connection: close: the server must close by itself.
  'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\nConnection: close\r\n\r\n',
  'GET\u0000/ HTTP/1.1\r\n\r\n',
  'NOT HTTP AT ALL\r\n\r\n',
  'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
];

/** Sends one request through `app.inject()`; headers left undefined are not sent. */
export async function injectAnswer(
  app: FastifyInstance,
  method: string,
  url: string,
  headers: Record<string, string | undefined>,
  payload?: string,
): Promise<Answer> {
  const clean = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
  const res = await app.inject({ method: method as 'GET', url, headers: clean, ...(payload === undefined ? {} : { payload }) });
  return { statusCode: res.statusCode, headers: res.headers, body: res.body };
}

/** Makes `app` listen on a free port of 127.0.0.1; returns the port. */
export async function listenOnFreePort(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

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
