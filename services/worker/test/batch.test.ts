import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { encodeVote } from '@bernstein/common';
import { compareParts, prepareBatch, writeVotes } from '../src/batch.js';
import { assertExactTallies, readTallies, sorted, talliesFromVotes, usePostgres } from './helpers.js';

const VOTER_1 = 'voter-one-aaaaaaaaaa';
const VOTER_2 = 'voter-two-bbbbbbbbbb';
const VOTER_3 = 'voter-three-cccccccc';

function entry(id: string, voter: string, option: string, poll = 'p1') {
  return { id, fields: encodeVote({ poll, voter, option, at: 1_700_000_000_000 }) };
}

describe('prepareBatch', () => {
  it('keeps the highest stream id per (poll, voter), whatever the order in the batch', () => {
    const batch = prepareBatch([
      entry('1700000000000-5', VOTER_1, 'c'),
      entry('1700000000000-9', VOTER_1, 'b'),
      entry('1700000000000-10', VOTER_1, 'd'), // 10 > 9 numerically, not as text
      entry('999-0', VOTER_1, 'a'),
      entry('1700000000001-0', VOTER_2, 'a'),
      entry('1700000000002-0', VOTER_2, 'a', 'p2'),
    ]);
    assert.deepEqual(
      batch.votes.map((v) => [v.poll, v.voter, v.option, v.id]),
      [
        ['p1', VOTER_1, 'd', '1700000000000-10'],
        ['p1', VOTER_2, 'a', '1700000000001-0'],
        ['p2', VOTER_2, 'a', '1700000000002-0'],
      ],
    );
    assert.equal(batch.valid, 6);
    assert.equal(batch.ids.length, 6);
    assert.deepEqual(batch.malformed, []);
  });

  it('sets malformed entries aside with the reason, and still acknowledges every id', () => {
    const batch = prepareBatch([
      entry('1-0', VOTER_1, 'a'),
      { id: '2-0', fields: ['v', '1', 'poll', 'p1'] },
      { id: '3-0', fields: ['v', '99', 'poll', 'p1', 'voter', VOTER_2, 'option', 'a', 'at', '1'] },
      { id: '4-0', fields: ['odd'] },
      { id: '5-0', fields: null },
    ]);
    assert.deepEqual(batch.votes.map((v) => v.id), ['1-0']);
    assert.deepEqual(batch.malformed.map((m) => m.id), ['2-0', '3-0', '4-0']);
    assert.match(batch.malformed[0]?.reason ?? '', /voter/);
    assert.match(batch.malformed[1]?.reason ?? '', /schema version/);
    assert.match(batch.malformed[2]?.reason ?? '', /odd number/);
    assert.deepEqual(batch.ids, ['1-0', '2-0', '3-0', '4-0', '5-0']);
  });

  it('compares stream ids numerically beyond 2^53', () => {
    assert.ok(compareParts({ ms: '9007199254740993', seq: '0' }, { ms: '9007199254740992', seq: '7' }) > 0);
    assert.ok(compareParts({ ms: '5', seq: '18446744073709551615' }, { ms: '5', seq: '18446744073709551614' }) > 0);
    assert.equal(compareParts({ ms: '5', seq: '3' }, { ms: '5', seq: '3' }), 0);
  });
});

describe('writeVotes', () => {
  const postgres = usePostgres();
  beforeEach(async () => {
    await postgres.db.query('TRUNCATE votes, tallies');
  });

  async function apply(...entries: ReturnType<typeof entry>[]): Promise<number> {
    return writeVotes(postgres.db, prepareBatch(entries).votes);
  }

  it('last vote wins by stream order even when an older entry arrives in a later batch', async () => {
    await apply(entry('200-0', VOTER_1, 'b'), entry('150-0', VOTER_2, 'c'));
    // A batch of older entries (e.g. claimed from a dead worker after newer ones were written).
    const changed = await apply(entry('100-0', VOTER_1, 'a'), entry('100-1', VOTER_2, 'a'), entry('100-2', VOTER_3, 'a'));
    assert.equal(changed, 1, 'only the new voter is inserted');
    const { rows } = await postgres.db.query<{ voter: string; option: string }>('SELECT voter, option FROM votes ORDER BY voter');
    assert.deepEqual(rows.map((r) => [r.voter, r.option]), [[VOTER_1, 'b'], [VOTER_3, 'a'], [VOTER_2, 'c']]);
    assert.deepEqual(sorted(await readTallies(postgres.db)), [['p1/a', 1], ['p1/b', 1], ['p1/c', 1]]);
    // And a newer one replaces.
    await apply(entry('300-0', VOTER_2, 'b'));
    assert.deepEqual(sorted(await readTallies(postgres.db)), [['p1/a', 1], ['p1/b', 2]]);
    assert.deepEqual(sorted(await talliesFromVotes(postgres.db)), sorted(await readTallies(postgres.db)));
  });

  it('replaying an already committed batch changes nothing (redelivery after COMMIT, before XACK)', async () => {
    const batch = [entry('10-0', VOTER_1, 'a'), entry('11-0', VOTER_2, 'b'), entry('12-0', VOTER_1, 'c'), entry('13-0', VOTER_3, 'c')];
    assert.equal(await apply(...batch), 3);
    const votesBefore = await postgres.db.query('SELECT poll, voter, option, stream_ms, stream_seq, recorded_at FROM votes ORDER BY voter');
    const talliesBefore = await postgres.db.query('SELECT poll, option, votes, updated_at FROM tallies ORDER BY option');
    assert.equal(await apply(...batch), 0, 'no row changes');
    assert.equal(await apply(...batch.slice(1, 3)), 0, 'nor for part of it');
    const votesAfter = await postgres.db.query('SELECT poll, voter, option, stream_ms, stream_seq, recorded_at FROM votes ORDER BY voter');
    const talliesAfter = await postgres.db.query('SELECT poll, option, votes, updated_at FROM tallies ORDER BY option');
    assert.deepEqual(votesAfter.rows, votesBefore.rows);
    assert.deepEqual(talliesAfter.rows, talliesBefore.rows, 'tallies untouched, not even updated_at');
    assert.deepEqual(sorted(await readTallies(postgres.db)), [['p1/b', 1], ['p1/c', 2]]);
  });

  it('keeps tallies equal to the votes under concurrent batches touching the same voters', async () => {
    const voters = Array.from({ length: 50 }, (_, i) => `concurrent-voter-${String(i).padStart(4, '0')}`);
    const batches = Array.from({ length: 8 }, (_, b) =>
      voters.map((v, i) => entry(`${1000 + ((i * 7 + b * 13) % 97)}-${b}`, v, ['a', 'b', 'c', 'd'][(i + b) % 4] as string)),
    );
    await Promise.all(batches.map((b) => apply(...[...b].reverse())));
    // Expected: per voter the entry with the largest id over all batches.
    const all = batches.flat();
    const best = new Map<string, ReturnType<typeof entry>>();
    for (const e of all) {
      const voter = e.fields[5] as string;
      const [ms, seq] = e.id.split('-') as [string, string];
      const seen = best.get(voter);
      const [sms, sseq] = (seen?.id.split('-') ?? ['0', '0']) as [string, string];
      if (!seen || Number(ms) > Number(sms) || (ms === sms && Number(seq) > Number(sseq))) best.set(voter, e);
    }
    const expected: Record<string, number> = {};
    for (const e of best.values()) expected[`p1/${e.fields[7]}`] = (expected[`p1/${e.fields[7]}`] ?? 0) + 1;
    await assertExactTallies(postgres.db, expected);
  });
});
