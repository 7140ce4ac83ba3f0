import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cspHash, createMetricsRegistry } from '@bernstein/common';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { createResultMetrics } from '../src/metrics.js';
import { TalliesStore } from '../src/tallies-store.js';
import { PAGE_SCRIPT } from '../src/views/client.js';
import { castVotes, logger, startDatabase, testPolls, voterId, type TestDatabase } from './helpers.js';

describe('result pages (inject, real PostgreSQL)', () => {
  let database: TestDatabase;
  let app: FastifyInstance;

  before(async () => {
    database = await startDatabase();
    // 1 : 1 : 1 : 0 — rounded shares would say 33 % three times.
    await castVotes(database.db, ['a', 'b', 'c'].map((option, i) => ({ poll: 'default', voter: voterId(i), option })));
    const metrics = createResultMetrics(createMetricsRegistry('result'));
    const store = new TalliesStore(database.db, testPolls, metrics, logger);
    await store.reloadAll();
    store.setStale(false);
    app = buildApp({ tallies: store, logger, metrics, pollUrl: 'https://vote.example.org/', sse: { keepaliveMs: 1234 } });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    await database?.close();
  });

  it('results page: shares that add up to 100, one clock format, links to voting, present view and all polls', async () => {
    const res = await app.inject('/polls/default');
    assert.equal(res.statusCode, 200);
    const shares = [...res.body.matchAll(/<span class="pct">(\d+)%<\/span>/g)].map((m) => Number(m[1]));
    assert.deepEqual(shares, [34, 33, 33, 0]);
    assert.match(res.body, /<span id="updated">Updated \d\d:\d\d:\d\d UTC<\/span>/);
    assert.match(res.body, /<a class="open-only" href="https:\/\/vote\.example\.org\/">Vote<\/a><a href="\.\.\/polls\/default\/present">Present<\/a><a href="\.\.\/polls">All polls<\/a>/);
    assert.match(res.body, /data-keepalive="1234"/);
    // Not "Live" before the script has seen the stream: without JavaScript there is no live badge.
    assert.match(res.body, /<span id="status" class="status" role="status" hidden>/);
    const csp = res.headers['content-security-policy'] as string;
    assert.ok(csp.includes(`script-src ${cspHash(PAGE_SCRIPT)}`), csp);
    assert.match(csp, /img-src data:/);
    assert.match(res.body, /<link rel="icon" href="data:image\/svg\+xml,/);
  });

  it('present view: the join address and its QR code as inline SVG beside the bars', async () => {
    const res = await app.inject('/polls/lunch/present');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.match(res.body, /<svg class="qr" [^>]*aria-label="QR code of the voting page, vote\.example\.org\/polls\/lunch">/);
    assert.match(res.body, /<p class="url">vote\.example\.org\/<wbr>polls\/<wbr>lunch<\/p>/, "breaks only after a slash");
    assert.match(res.body, /data-events="\.\.\/\.\.\/api\/polls\/lunch\/events"/);
    assert.match(res.body, /<a href="\.\.\/\.\.\/polls\/lunch">Results page<\/a>/);
    assert.match(res.body, /Ramen &lt;hot&gt;/);
    assert.match(res.headers['content-security-policy'] as string, /script-src 'sha256-/);
    assert.equal((await app.inject('/polls/nope/present')).statusCode, 404);
  });

  it('lists every poll with its votes and links', async () => {
    const res = await app.inject('/polls');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<a class="q" href="\.\/polls\/default">Which do you prefer\?<\/a><span class="meta">.*?Open<\/span><span>3 votes<\/span>/);
    assert.match(res.body, /<a href="\.\/polls\/lunch\/present">Present<span class="sr"> of “Lunch today\?”<\/span><\/a>/);
    assert.match(res.body, /<a href="https:\/\/vote\.example\.org\/polls\/lunch">Vote/);
    assert.match(res.headers['content-security-policy'] as string, /^default-src 'none'; style-src 'sha256-[^']+'; img-src data:;/);
  });

  it('serves the icon and answers unknown pages with the voters\' error page', async () => {
    const icon = await app.inject('/favicon.ico');
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.match(icon.body, /^<svg xmlns=/);
    const page = await app.inject('/polls/default/nothing');
    assert.equal(page.statusCode, 404);
    assert.match(page.body, /<h1>Page not found<\/h1>/);
    assert.match(page.body, /<a href="\.\.\/\.\.\/polls">See all polls<\/a><a href="\.\.\/\.\.\/">Main results<\/a>/);
  });
});
