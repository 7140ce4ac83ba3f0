/**
 * Polls defined through poll's API, as result sees them: rows of the polls table written the
 * way the worker writes them (UPSERT_POLL_SQL), announced by the trigger's NOTIFY, known to
 * every result instance within 1 s with their status; the CSV and JSON exports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UPSERT_POLL_SQL } from '../../worker/src/batch.js';
import { csvField, resultsCsv } from '../src/routes/api.js';
import { castVote, eventually, startDatabase, startTwoResults, voterId, type ResultInstance, type TestDatabase } from './helpers.js';

const definition = {
  question: 'Formula?',
  options: [
    { id: 'a', label: '=HYPERLINK("http://x")' },
    { id: 'b', label: 'Plain, with "quotes"' },
  ],
  access: 'open',
  closesAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};

let seq = 0;
async function writePoll(db: TestDatabase['db'], id: string, status: 'open' | 'closed'): Promise<void> {
  const now = Date.now();
  await db.query(UPSERT_POLL_SQL, [id, JSON.stringify(definition), status, false, now, String(now), String(++seq), status === 'closed' ? now : null]);
}

describe('polls defined through the API, in result', () => {
  let database: TestDatabase;
  let one: ResultInstance;
  let two: ResultInstance;

  before(async () => {
    database = await startDatabase();
    [one, two] = await startTwoResults(database);
  });

  after(async () => {
    await one?.close();
    await two?.close();
    await database?.close();
  });

  it('knows a new poll within 1 s on every instance, then its close', async () => {
    assert.equal((await fetch(`${one.url}/api/polls/quiz/results`)).status, 404);
    const started = Date.now();
    await writePoll(database.db, 'quiz', 'open');
    for (const instance of [one, two]) {
      await eventually('the new poll', async () => ((await fetch(`${instance.url}/api/polls/quiz/results`)).status === 200 ? true : undefined));
    }
    assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
    await castVote(database.db, 'quiz', voterId(1), 'a');
    await castVote(database.db, 'quiz', voterId(2), 'b');
    await castVote(database.db, 'quiz', voterId(3), 'b');
    await eventually('the votes', async () => {
      const body = (await (await fetch(`${two.url}/api/polls/quiz/results`)).json()) as { total: number; status: string };
      return body.total === 3 && body.status === 'open' ? true : undefined;
    });
    await writePoll(database.db, 'quiz', 'closed');
    await eventually('the close', async () => {
      const body = (await (await fetch(`${one.url}/api/polls/quiz/results`)).json()) as { status: string; closedAt: string | null };
      return body.status === 'closed' && body.closedAt !== null ? true : undefined;
    });
  });

  it('exports CSV (escaped, no formulas) and JSON', async () => {
    const csv = await fetch(`${one.url}/api/polls/quiz/results.csv`);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(csv.headers.get('content-disposition'), 'attachment; filename="quiz-results.csv"');
    assert.equal(await csv.text(), 'option,label,votes\r\na,"\'=HYPERLINK(""http://x"")",1\r\nb,"Plain, with ""quotes""",2\r\n');
    const json = await fetch(`${one.url}/api/polls/quiz/results.json`);
    assert.equal(json.status, 200);
    assert.equal(json.headers.get('content-disposition'), 'attachment; filename="quiz-results.json"');
    const body = (await json.json()) as { options: { id: string; votes: number }[]; status: string };
    assert.deepEqual(body.options.map((o) => [o.id, o.votes]), [['a', 1], ['b', 2]]);
    assert.equal(body.status, 'closed');
    assert.equal((await fetch(`${one.url}/api/polls/nope/results.csv`)).status, 404);
  });

  it('guards every spreadsheet formula prefix', () => {
    assert.deepEqual(['=1', '+1', '-1', '@SUM', '\tx', 'ok', 'a,b'].map(csvField), ["'=1", "'+1", "'-1", "'@SUM", "'\tx", 'ok', '"a,b"']);
    assert.equal(csvField(-3), '-3', 'numbers are numbers');
    assert.equal(
      resultsCsv({ poll: 'p', question: 'q', options: [{ id: 'x', label: 'line\nbreak', votes: 0 }], total: 0, updatedAt: null, stale: false, status: 'open', closedAt: null }),
      'option,label,votes\r\nx,"line\nbreak",0\r\n',
    );
  });
});
