/**
 * Control entries of poll's admin API in the vote stream: set apart from the votes, written to
 * the polls table in stream order (an older or repeated entry never undoes a close), and
 * announced on bernstein_polls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { encodeVote, POLLS_CHANNEL } from '@bernstein/common';
import { prepareBatch, writePolls } from '../src/batch.js';
import { usePostgres } from './helpers.js';

const DEF = JSON.stringify({ question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }], access: 'open', closesAt: null, createdAt: '2026-01-01T00:00:00.000Z' });

function control(id: string, poll: string, status: 'open' | 'closed', extra: string[] = []) {
  return { id, fields: ['v', '1', 'kind', 'poll', 'poll', poll, 'status', status, 'archived', '0', ...extra, 'def', DEF, 'at', '1700000000000'] };
}

describe('poll control entries', () => {
  const postgres = usePostgres();

  it('sets them apart from the votes, in stream order, and dead-letters a bad one', () => {
    const batch = prepareBatch([
      control('5-0', 'quiz', 'open'),
      { id: '6-0', fields: encodeVote({ poll: 'quiz', voter: 'voter-one-aaaaaaaaaa', option: 'a', at: 1_700_000_000_000 }) },
      control('7-0', 'quiz', 'closed', ['closedAt', '1700000000500']),
      { id: '8-0', fields: ['v', '1', 'kind', 'poll', 'poll', 'quiz', 'status', 'gone', 'def', '{}', 'at', '1'] },
    ]);
    assert.deepEqual(
      batch.polls.map((p) => [p.poll, p.status, p.ms, p.closedAt]),
      [
        ['quiz', 'open', '5', undefined],
        ['quiz', 'closed', '7', 1_700_000_000_500],
      ],
    );
    assert.equal(batch.votes.length, 1);
    assert.deepEqual(batch.malformed.map((m) => [m.id, m.reason]), [['8-0', 'malformed stream entry: bad or missing "status"']]);
    assert.equal(batch.ids.length, 4);
  });

  it('writes them in stream order: a replayed or older entry never reopens a closed poll, and each change is notified', async () => {
    const listener = new pg.Client(postgres.server.connection);
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (m) => heard.push(`${m.channel}:${m.payload}`));
    await listener.query(`LISTEN ${POLLS_CHANNEL}`);
    try {
      const open = prepareBatch([control('10-0', 'quiz2', 'open')]).polls;
      const close = prepareBatch([control('11-0', 'quiz2', 'closed', ['closedAt', '1700000000500'])]).polls;
      assert.equal(await writePolls(postgres.db, open), 1);
      assert.equal(await writePolls(postgres.db, close), 1);
      assert.equal(await writePolls(postgres.db, open), 0, 'the older entry again: no change');
      assert.equal(await writePolls(postgres.db, close), 0, 'the same entry again: no change');
      const { rows } = await postgres.db.query<{ status: string; closed_at: Date; definition: { question: string } }>(
        'SELECT status, closed_at, definition FROM polls WHERE id = $1',
        ['quiz2'],
      );
      assert.deepEqual(
        rows.map((r) => [r.status, r.closed_at.toISOString(), r.definition.question]),
        [['closed', '2023-11-14T22:13:20.500Z', 'Q?']],
      );
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(heard, [`${POLLS_CHANNEL}:quiz2`, `${POLLS_CHANNEL}:quiz2`]);
    } finally {
      await listener.end();
    }
  });
});
