import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildResults, snapshotOf } from '../src/results.js';
import { testPolls } from './helpers.js';

const poll = testPolls.defaultPoll;

describe('buildResults', () => {
  it('lists every configured option in order, with 0 votes and its label when it has no tally', () => {
    const r = buildResults(poll, [{ option: 'b', votes: 3, updatedAt: new Date('2026-01-01T00:00:00Z') }], false);
    assert.deepEqual(r, {
      poll: 'default',
      question: 'Which do you prefer?',
      options: [
        { id: 'a', label: 'Cats', votes: 0 },
        { id: 'b', label: 'Dogs', votes: 3 },
        { id: 'c', label: 'Birds', votes: 0 },
        { id: 'd', label: 'Fish', votes: 0 },
      ],
      total: 3,
      updatedAt: '2026-01-01T00:00:00.000Z',
      stale: false,
      status: 'open',
      closedAt: null,
    });
  });

  it('says "closed" for a closed poll or one past its closing time, with when it closed', () => {
    const closed = buildResults({ ...poll, status: 'closed', closesAt: null, closedAt: '2026-02-01T10:00:00.000Z' }, [], false);
    assert.deepEqual([closed.status, closed.closedAt], ['closed', '2026-02-01T10:00:00.000Z']);
    const timed = buildResults({ ...poll, status: 'open', closesAt: '2020-01-01T00:00:00.000Z', closedAt: null }, [], false);
    assert.deepEqual([timed.status, timed.closedAt], ['closed', '2020-01-01T00:00:00.000Z']);
    const later = buildResults({ ...poll, status: 'open', closesAt: '2999-01-01T00:00:00.000Z', closedAt: null }, [], false);
    assert.deepEqual([later.status, later.closedAt], ['open', null]);
  });

  it('ignores tallies of options that are not configured, in the options and in the total', () => {
    const r = buildResults(
      poll,
      [
        { option: 'a', votes: 2, updatedAt: new Date('2026-01-01T00:00:00Z') },
        { option: 'gone', votes: 40, updatedAt: new Date('2026-02-01T00:00:00Z') },
      ],
      false,
    );
    assert.equal(r.total, 2);
    assert.deepEqual(r.options.map((o) => o.id), ['a', 'b', 'c', 'd']);
    assert.equal(r.updatedAt, '2026-01-01T00:00:00.000Z');
  });

  it('has a null updatedAt before the first vote, and carries the stale flag', () => {
    const r = buildResults(poll, [], true);
    assert.equal(r.updatedAt, null);
    assert.equal(r.total, 0);
    assert.equal(r.stale, true);
  });

  it('serializes a snapshot once as API JSON and as one complete SSE event', () => {
    const snap = snapshotOf(buildResults(poll, [], false));
    assert.deepEqual(JSON.parse(snap.json), snap.results);
    assert.equal(snap.frame.toString(), `event: results\ndata: ${snap.json}\n\n`);
  });
});
