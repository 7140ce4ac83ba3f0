import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { BernsteinError, clientErrorOf, createHttpHygiene, cspHash, ErrorCode, escapeHtml, pageCsp } from '../src/index.js';

const TIMEOUTS = { headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 3000 };

function app(trustProxy: boolean): FastifyInstance {
  const hygiene = createHttpHygiene({
    bodyLimit: 64,
    timeouts: TIMEOUTS,
    errorPage: { headers: { 'content-type': 'text/html; charset=utf-8' }, render: (_req, error) => `<!doctype html><p>${escapeHtml(error.message)}</p>` },
  });
  const server = Fastify({ ...hygiene.serverOptions, bodyLimit: 64, trustProxy });
  hygiene.register(server);
  server.get('/api/things/:id', async (req) => ({ id: (req.params as { id: string }).id }));
  server.post('/api/things', async (req) => req.body);
  server.get('/api/down', async () => {
    throw new BernsteinError(ErrorCode.REDIS_UNAVAILABLE, 'Redis is unavailable', 503);
  });
  server.get('/api/bug', async () => {
    throw new Error('secret internals at /srv/app.js:1:2');
  });
  server.get('/page', async () => {
    throw new BernsteinError(ErrorCode.POLL_NOT_FOUND, 'poll "<x>" does not exist', 404);
  });
  return server;
}

describe('shared HTTP hygiene', () => {
  let plain: FastifyInstance;
  let proxied: FastifyInstance;
  before(async () => {
    plain = app(false);
    proxied = app(true);
    await plain.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await plain.close();
    await proxied.close();
  });

  it('sets the security headers on every answer, and HSTS only over TLS as a trusted proxy reports it', async () => {
    for (const url of ['/api/things/1', '/nothing', '/api/bug']) {
      const res = await plain.inject({ url, headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
      assert.equal(res.headers['referrer-policy'], 'same-origin', url);
      assert.equal(res.headers['content-security-policy'], "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", url);
      assert.equal(res.headers['strict-transport-security'], undefined, `${url}: an untrusted X-Forwarded-Proto is ignored`);
    }
    const viaProxy = await proxied.inject({ url: '/api/things/1', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(viaProxy.headers['strict-transport-security'], 'max-age=31536000');
    const plainHttp = await proxied.inject({ url: '/api/things/1', headers: { 'x-forwarded-proto': 'http' } });
    assert.equal(plainHttp.headers['strict-transport-security'], undefined);
  });

  it("answers Fastify's own client errors with the services' codes", async () => {
    const cases: [string, InjectOptions, number, string][] = [
      ['bad percent-encoding', { url: '/api/things/%zz' }, 400, ErrorCode.URL_INVALID],
      ['a parameter over 100 characters', { url: `/api/things/${'a'.repeat(101)}` }, 414, ErrorCode.URI_TOO_LONG],
      ['unknown route', { url: '/api/nothing' }, 404, ErrorCode.NOT_FOUND],
      ['malformed JSON', { method: 'POST', url: '/api/things', headers: { 'content-type': 'application/json' }, payload: '{' }, 400, ErrorCode.BODY_INVALID],
      ['prototype poisoning', { method: 'POST', url: '/api/things', headers: { 'content-type': 'application/json' }, payload: '{"__proto__":{"a":1}}' }, 400, ErrorCode.BODY_INVALID],
      ['a body over the limit', { method: 'POST', url: '/api/things', headers: { 'content-type': 'application/json' }, payload: `"${'a'.repeat(100)}"` }, 413, ErrorCode.BODY_TOO_LARGE],
      ['a type without a parser', { method: 'POST', url: '/api/things', headers: { 'content-type': 'application/xml' }, payload: '<a/>' }, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE],
    ];
    for (const [what, request, status, code] of cases) {
      const res = await plain.inject(request);
      assert.equal(res.statusCode, status, what);
      const { error } = res.json<{ error: Record<string, unknown> }>();
      assert.equal(error.code, code, what);
      assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], what);
    }
  });

  it('answers a 5xx without internals, with Retry-After for a dependency away; pages get HTML, escaped', async () => {
    const bug = await plain.inject('/api/bug');
    assert.equal(bug.statusCode, 500);
    assert.deepEqual(bug.json(), { error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    const down = await plain.inject('/api/down');
    assert.equal(down.statusCode, 503);
    assert.equal(down.headers['retry-after'], '1');
    const page = await plain.inject('/page');
    assert.equal(page.statusCode, 404);
    assert.equal(page.body, '<!doctype html><p>poll &quot;&lt;x&gt;&quot; does not exist</p>');
  });

  it("answers Node's parser errors on the socket in the documented format", async () => {
    const address = plain.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const send = (raw: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(raw));
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(text));
      });
    const cases: [string, RegExp][] = [
      [`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, /^HTTP\/1\.1 414 URI Too Long\r\n[\s\S]*"code":"URI_TOO_LONG"/],
      [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n[\s\S]*"code":"HEADERS_TOO_LARGE"/],
      ['NOT HTTP\r\n\r\n', /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*"code":"REQUEST_INVALID"/],
    ];
    for (const [raw, expected] of cases) {
      const answer = await send(raw);
      assert.match(answer, expected, raw.slice(0, 30));
      assert.match(answer, /\r\nx-content-type-options: nosniff\r\n/);
    }
    assert.deepEqual(clientErrorOf({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }), { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request was not received in time' });
  });

  it('builds page policies from the exact inline code, by hash', () => {
    assert.equal(cspHash('a{}'), `'sha256-${Buffer.from(sha256('a{}')).toString('base64')}'`);
    assert.equal(
      pageCsp({ styles: ['a{}'], scripts: ['x()'], connect: ["'self'"], styleAttributes: true }),
      `default-src 'none'; style-src ${cspHash('a{}')}; style-src-attr 'unsafe-inline'; script-src ${cspHash('x()')}; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`,
    );
  });
});

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
