import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMetricsRegistry, type ErrorBody } from '@bernstein/common';
import type { FastifyInstance } from 'fastify';
import { buildApp, buildResultOpsApp, talliesReadiness } from '../src/app.js';
import { createResultMetrics } from '../src/metrics.js';
import type { Results } from '../src/results.js';
import { TalliesStore } from '../src/tallies-store.js';
import { castVote, logger, startDatabase, testPolls, voterId, type TestDatabase } from './helpers.js';

describe('result app (inject, real PostgreSQL)', () => {
  let database: TestDatabase;
  let store: TalliesStore;
  let app: FastifyInstance;
  let ops: FastifyInstance;

  before(async () => {
    database = await startDatabase();
    await castVote(database.db, 'default', voterId(1), 'b');
    await castVote(database.db, 'default', voterId(2), 'b');
    await castVote(database.db, 'default', voterId(3), 'a');
    // A tally of an option the configuration no longer has.
    await castVote(database.db, 'default', voterId(4), 'retired');
    const metrics = createResultMetrics(createMetricsRegistry('result'));
    store = new TalliesStore(database.db, testPolls, metrics, logger);
    app = buildApp({ tallies: store, logger, metrics });
    ops = buildResultOpsApp({ logger, metrics, readiness: talliesReadiness(store) });
    await app.ready();
    await ops.ready();
  });

  after(async () => {
    await app?.close();
    await ops?.close();
    await database?.close();
  });

  it('is not ready before the tallies were read, then ready (on the ops app; the public app serves no ops endpoint)', async () => {
    assert.equal((await ops.inject('/readyz')).statusCode, 503);
    await store.reloadAll();
    store.setStale(false);
    assert.equal((await ops.inject('/readyz')).statusCode, 200);
    assert.equal((await ops.inject('/healthz')).statusCode, 200);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await app.inject(path);
      assert.equal(res.statusCode, 404, path);
      assert.match(res.headers['content-type'] as string, /^text\/html/, 'a page path: the HTML error page');
    }
  });

  it('answers a poll\'s results with every configured option, zero-vote ones included', async () => {
    const res = await app.inject('/api/polls/default/results');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    const body = res.json<Results>();
    assert.deepEqual(Object.keys(body).sort(), ['closedAt', 'options', 'poll', 'question', 'stale', 'status', 'total', 'updatedAt']);
    assert.equal(body.status, 'open', 'a configured poll is always open');
    assert.equal(body.poll, 'default');
    assert.equal(body.question, 'Which do you prefer?');
    assert.deepEqual(body.options, [
      { id: 'a', label: 'Cats', votes: 1 },
      { id: 'b', label: 'Dogs', votes: 2 },
      { id: 'c', label: 'Birds', votes: 0 },
      { id: 'd', label: 'Fish', votes: 0 },
    ]);
    assert.equal(body.total, 3, 'the vote for an option not in the configuration is not counted');
    assert.equal(body.stale, false);
    assert.ok(!Number.isNaN(Date.parse(body.updatedAt ?? '')), 'updatedAt is an ISO time');
  });

  it('answers a poll without any vote with zeros and a null updatedAt', async () => {
    const body = (await app.inject('/api/polls/lunch/results')).json<Results>();
    assert.deepEqual(body.options, [
      { id: 'pizza', label: 'Pizza', votes: 0 },
      { id: 'ramen', label: 'Ramen <hot>', votes: 0 },
    ]);
    assert.equal(body.total, 0);
    assert.equal(body.updatedAt, null);
  });

  it('answers an unknown poll with 404 POLL_NOT_FOUND in JSON', async () => {
    for (const path of ['/api/polls/nope/results', '/api/polls/nope/events']) {
      const res = await app.inject(path);
      assert.equal(res.statusCode, 404, path);
      assert.deepEqual(res.json(), { error: { code: 'POLL_NOT_FOUND', message: 'poll "nope" does not exist' } });
    }
  });

  it('answers unknown API routes in JSON and unknown pages in HTML', async () => {
    const api = await app.inject('/api/nothing');
    assert.equal(api.statusCode, 404);
    assert.equal(api.json<ErrorBody>().error.code, 'NOT_FOUND');
    const page = await app.inject('/polls/nope');
    assert.equal(page.statusCode, 404);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.match(page.body, /<h1>This poll does not exist<\/h1>/);
    assert.match(page.body, /<a href="\.\.\/polls">See all polls<\/a>/, 'a way on');
  });

  it('renders the results page server-side, usable without JavaScript', async () => {
    const res = await app.inject('/');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.match(res.body, /<h1>Which do you prefer\?<\/h1>/);
    assert.match(res.body, /Dogs<span class="badge"><span class="open-only">Leading<\/span><span class="closed-only">Winner<\/span><\/span>/);
    assert.match(res.body, /<span class="pct">67%<\/span><span class="n" data-v="2">2<\/span>/);
    assert.match(res.body, /data-id="c"[^]*?<span class="pct">0%<\/span><span class="n" data-v="0">0<\/span>/);
    assert.match(res.body, /data-events="\.\/api\/polls\/default\/events"/);
    assert.doesNotMatch(res.body, /<link\b(?! rel="icon" href="data:)|<img\b|src=|https?:\/\//, 'no external assets (the icon is inline)');
  });

  it('escapes labels and points other polls\' pages at their own stream', async () => {
    const res = await app.inject('/polls/lunch');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Ramen &lt;hot&gt;/);
    assert.doesNotMatch(res.body, /Ramen <hot>/);
    assert.match(res.body, /data-events="\.\.\/api\/polls\/lunch\/events"/);
  });

  it('answers HEAD of an event stream without opening one', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/api/polls/default/events' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/event-stream/);
    assert.equal(res.body, '');
    assert.equal(app.sseHub.clients, 0);
  });

  it('exposes its metrics', async () => {
    const text = (await ops.inject('/metrics')).body;
    for (const name of [
      'result_sse_clients',
      'result_sse_events_pushed_total',
      'result_tallies_reads_total',
      'result_listener_connected',
      'result_tallies_stale',
      'result_tallies_stale_seconds',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.match(text, /^result_tallies_reads_total\{outcome="ok",service="result"\} [1-9]/m);
  });
});
