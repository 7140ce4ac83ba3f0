import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VoteSchedule } from '../src/schedule.js';

const optionsOf = new Map([
  ['a', ['x', 'y']],
  ['b', ['z']],
]);

describe('VoteSchedule', () => {
  it('gives every voter a first vote before any re-vote when revoteShare is 0', () => {
    const s = new VoteSchedule({ voters: 5, revoteShare: 0, rate: 0 }, [{ id: 'a', weight: 1 }], optionsOf);
    const busy = new Uint8Array(5);
    const voters = Array.from({ length: 5 }, () => s.next(busy)?.voter);
    assert.deepEqual(voters, [0, 1, 2, 3, 4]);
  });

  it('has nobody left when every voter has voted and is busy', () => {
    const s = new VoteSchedule({ voters: 2, revoteShare: 1, rate: 0 }, [{ id: 'a', weight: 1 }], optionsOf);
    const busy = new Uint8Array(2);
    for (const expected of [0, 1]) {
      const b = s.next(busy);
      assert.equal(b?.voter, expected, 'a busy voter is never picked again; a new one is');
      busy[expected] = 1;
    }
    assert.equal(s.next(busy), undefined);
  });

  it("votes only for the chosen polls' own options, by weight", () => {
    const s = new VoteSchedule({ voters: 1000, revoteShare: 0, rate: 0 }, [{ id: 'a', weight: 3 }, { id: 'b', weight: 0 }], optionsOf);
    const busy = new Uint8Array(1000);
    for (let i = 0; i < 200; i++) {
      const b = s.next(busy);
      assert.ok(b);
      assert.equal(b.poll, 'a');
      assert.ok(['x', 'y'].includes(b.option), b.option);
    }
  });

  it('holds new votes to the vote count and the target rate', () => {
    const counted = new VoteSchedule({ voters: 10, revoteShare: 0, rate: 0, votes: 3 }, [{ id: 'a', weight: 1 }], optionsOf);
    assert.equal(counted.mayStart(2, 0), true);
    assert.equal(counted.mayStart(3, 0), false);
    const paced = new VoteSchedule({ voters: 10, revoteShare: 0, rate: 100 }, [{ id: 'a', weight: 1 }], optionsOf);
    assert.equal(paced.mayStart(10, 50), false, '10 sent after 50 ms is ahead of 100/s');
    assert.equal(paced.mayStart(4, 50), true);
  });
});
