import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { castVote, eventually, SseReader, startDatabase, startResult, untilListening, startTwoResults, voterId, type ResultInstance, type TestDatabase } from './helpers.js';

describe('live results over real HTTP (LISTEN/NOTIFY → SSE)', () => {
  let database: TestDatabase;
  let one: ResultInstance;
  let two: ResultInstance;
  const readers: SseReader[] = [];
  let voter = 0;

  async function open(instance: ResultInstance, poll = 'default'): Promise<SseReader> {
    const reader = await SseReader.open(`${instance.url}/api/polls/${poll}/events`);
    readers.push(reader);
    return reader;
  }

  before(async () => {
    database = await startDatabase();
    [one, two] = await startTwoResults(database);
  });

  after(async () => {
    for (const r of readers) r.close();
    await one?.close();
    await two?.close();
    await database?.close();
  });

  it('sends the current results as the first event, with stream headers and a retry hint', async () => {
    await castVote(database.db, 'default', voterId(++voter), 'a');
    await eventually('the vote in the API', async () => {
      const body = (await (await fetch(`${one.url}/api/polls/default/results`)).json()) as { total: number };
      return body.total === 1 ? true : undefined;
    });
    const reader = await open(one);
    assert.equal(reader.response.statusCode, 200);
    assert.equal(reader.response.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(reader.response.headers['cache-control'], 'no-cache');
    assert.equal(reader.response.headers['x-accel-buffering'], 'no');
    const first = await reader.waitFor(() => true);
    assert.equal(first.poll, 'default');
    assert.equal(first.total, 1);
    assert.equal(first.stale, false);
    assert.deepEqual(first.options.map((o) => [o.id, o.votes]), [['a', 1], ['b', 0], ['c', 0], ['d', 0]]);
    assert.ok(reader.retries.length > 0 && reader.retries[0]! > 0, 'a retry: hint');
  });

  it('pushes an update after a vote is committed, to every instance', async () => {
    const r1 = await open(one);
    const r2 = await open(two);
    const before1 = await r1.waitFor(() => true);
    await r2.waitFor(() => true);
    await castVote(database.db, 'default', voterId(++voter), 'c');
    const target = before1.total + 1;
    const u1 = await r1.waitFor((r) => r.total === target);
    const u2 = await r2.waitFor((r) => r.total === target);
    assert.equal(u1.options.find((o) => o.id === 'c')?.votes, 1);
    assert.deepEqual(u2, u1, 'both replicas publish the same results');
  });

  it('sends each poll\'s stream only its own poll', async () => {
    const lunch = await open(one, 'lunch');
    await lunch.waitFor(() => true);
    await castVote(database.db, 'lunch', voterId(++voter), 'ramen');
    const u = await lunch.waitFor((r) => r.total === 1);
    assert.equal(u.poll, 'lunch');
    assert.ok(lunch.results.every((r) => r.poll === 'lunch'));
  });

  it('coalesces many rapid commits into few events', async () => {
    const slow = await startResult(database, { coalesceMs: 1000 });
    try {
      await untilListening(slow);
      const reader = await open(slow);
      const start = await reader.waitFor(() => true);
      const commits = 40;
      for (let i = 0; i < commits; i++) await castVote(database.db, 'default', voterId(++voter), 'd');
      const final = await reader.waitFor((r) => r.total === start.total + commits);
      assert.equal(final.options.find((o) => o.id === 'd')?.votes, start.options.find((o) => o.id === 'd')!.votes + commits);
      const updates = reader.results.length - 1;
      assert.ok(updates >= 1 && updates <= commits / 4, `${commits} commits became ${updates} events`);
      const notified = await slow.metrics.notifications.get();
      assert.ok(notified.values[0]!.value >= commits, 'every commit was notified');
    } finally {
      await slow.close();
    }
  });

  it('counts its clients and pushed events in /metrics', async () => {
    const text = await (await fetch(`${one.opsUrl}/metrics`)).text();
    const clients = Number(/^result_sse_clients\{service="result"\} (\d+)/m.exec(text)?.[1]);
    assert.equal(clients, one.app.sseHub.clients);
    assert.ok(clients >= 2);
    assert.match(text, /^result_sse_events_pushed_total\{service="result"\} [1-9]/m);
    assert.match(text, /^result_listener_connected\{service="result"\} 1$/m);
  });

  it('forgets a client that disconnects', async () => {
    const reader = await open(two);
    await reader.waitFor(() => true);
    const count = two.app.sseHub.clients;
    reader.close();
    await eventually('the client to be removed', () => (two.app.sseHub.clients === count - 1 ? true : undefined));
  });
});
