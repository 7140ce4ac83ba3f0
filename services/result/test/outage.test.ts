import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Results } from '../src/results.js';
import { castVote, eventually, SseReader, startDatabase, startResult, untilListening, voterId, type ResultInstance, type TestDatabase } from './helpers.js';

describe('PostgreSQL away: last known tallies flagged stale, then recovery without a restart', () => {
  let database: TestDatabase;
  let result: ResultInstance;
  let reader: SseReader | undefined;

  const api = async (): Promise<Results> => (await (await fetch(`${result.url}/api/polls/default/results`)).json()) as Results;

  before(async () => {
    database = await startDatabase();
    result = await startResult(database);
    await untilListening(result);
  });

  after(async () => {
    reader?.close();
    await result?.close();
    await database?.close();
  });

  it('keeps serving the last tallies, marks them stale, and recovers when PostgreSQL is back', async () => {
    await castVote(database.db, 'default', voterId(1), 'a');
    await castVote(database.db, 'default', voterId(2), 'b');
    reader = await SseReader.open(`${result.url}/api/polls/default/events`);
    const known = await reader.waitFor((r) => r.total === 2 && !r.stale);

    await database.server.stop();

    const staleEvent = await reader.waitFor((r) => r.stale);
    assert.deepEqual(staleEvent.options, known.options, 'the stream keeps the last known numbers');
    const during = await api();
    assert.equal(during.stale, true);
    assert.equal(during.total, 2);
    assert.deepEqual(during.options, known.options);
    assert.equal((await fetch(`${result.opsUrl}/readyz`)).status, 200, 'still ready: it has tallies to serve');
    const metrics = await (await fetch(`${result.opsUrl}/metrics`)).text();
    assert.match(metrics, /^result_tallies_stale\{service="result"\} 1$/m);
    assert.match(metrics, /^result_listener_connected\{service="result"\} 0$/m);
    // A page opened during the outage shows the numbers and says they are stale.
    const page = await (await fetch(`${result.url}/`)).text();
    assert.match(page, /Stale · database unreachable/);
    // A new stream during the outage starts with the stale state.
    const late = await SseReader.open(`${result.url}/api/polls/default/events`);
    try {
      const first = await late.waitFor(() => true);
      assert.equal(first.stale, true);
      assert.equal(first.total, 2);
    } finally {
      late.close();
    }

    await database.server.restart();

    const fresh = await reader.waitFor((r) => !r.stale, 20_000, reader.results.indexOf(staleEvent));
    assert.equal(fresh.total, 2);
    assert.equal((await api()).stale, false);

    // The test's own pool may hold a connection from before the restart: retry the write.
    await eventually('a vote after recovery', () => castVote(database.db, 'default', voterId(3), 'c').then(() => true, () => undefined));
    const after = await reader.waitFor((r) => r.total === 3 && !r.stale);
    assert.equal(after.options.find((o) => o.id === 'c')?.votes, 1);
  });

  it('starts while PostgreSQL is down: not ready, API 503, then ready and fresh once it is up', async () => {
    await database.server.stop();
    const late = await startResult(database);
    const stream = await SseReader.open(`${late.url}/api/polls/default/events`);
    try {
      assert.equal((await fetch(`${late.opsUrl}/readyz`)).status, 503);
      const res = await fetch(`${late.url}/api/polls/default/results`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'POSTGRES_UNAVAILABLE');
      const first = await stream.waitFor(() => true);
      assert.equal(first.stale, true);
      assert.equal(first.updatedAt, null);

      await database.server.restart();

      const fresh = await stream.waitFor((r) => !r.stale);
      assert.equal(fresh.total, 3);
      await eventually('readiness', async () => ((await fetch(`${late.opsUrl}/readyz`)).status === 200 ? true : undefined));
      assert.equal(((await (await fetch(`${late.url}/api/polls/default/results`)).json()) as Results).total, 3);
    } finally {
      stream.close();
      await late.close();
    }
  });
});
