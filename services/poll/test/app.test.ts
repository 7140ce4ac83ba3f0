import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JSON_HEADERS, setCookies, startHarness, useHarness } from './helpers.js';

describe('poll app', () => {
  const h = useHarness({}, { logLevel: 'debug' });

  it('serves liveness, readiness (no dependency: poll answers for itself) and Prometheus metrics on the ops app only', async () => {
    const health = await h.ops.inject('/healthz');
    assert.equal(health.statusCode, 200);
    const ready = await h.ops.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', checks: {} });
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await h.app.inject(path);
      assert.equal(res.statusCode, 404, `the public app does not serve ${path}`);
    }
    const metrics = await h.ops.inject('/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
    assert.match(metrics.body, /bernstein_poll_votes_accepted_total\{poll="default",service="poll"\} 0/);
    assert.match(metrics.body, /bernstein_poll_votes_accepted_total\{poll="lunch",service="poll"\} 0/);
    assert.match(metrics.body, /# TYPE bernstein_poll_redis_append_duration_seconds histogram/);
  });

  it('marks cookies Secure only when a trusted proxy says the request came over HTTPS', async () => {
    const vote = (app: typeof h.app, headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/api/polls/default/votes', headers: { ...JSON_HEADERS, ...headers }, payload: { option: 'a' } });
    const plain = await vote(h.app, {});
    assert.doesNotMatch(setCookies(plain.headers).get('bernstein_voter') ?? '', /Secure/);
    const forged = await vote(h.app, { 'x-forwarded-proto': 'https' });
    assert.doesNotMatch(setCookies(forged.headers).get('bernstein_voter') ?? '', /Secure/, 'X-Forwarded-Proto from an untrusted peer is ignored');
    const behindProxy = await startHarness({ TRUSTED_PROXIES: '127.0.0.1' }, h.server);
    try {
      const proxied = await vote(behindProxy.app, { 'x-forwarded-proto': 'https' });
      assert.match(setCookies(proxied.headers).get('bernstein_voter') ?? '', /; Secure/);
    } finally {
      await behindProxy.close();
    }
  });

  it('logs each request at debug level only, with method, URL and status', async () => {
    await h.app.inject('/polls/lunch');
    const line = h.logLines.find((l) => l.msg === 'request' && l.url === '/polls/lunch');
    assert.ok(line, 'a debug line for the request');
    assert.equal(line.level, 20);
    assert.equal(line.status, 200);
    assert.equal(line.method, 'GET');
    assert.equal(h.logLines.filter((l) => (l.level as number) >= 30 && typeof l.msg === 'string' && /request/.test(l.msg)).length, 0);
  });

  it('answers HEAD for pages', async () => {
    const res = await h.app.inject({ method: 'HEAD', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, '');
  });
});
