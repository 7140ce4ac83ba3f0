import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VOTER_ID } from '@bernstein/common';
import { newVoterId } from '../src/voter-cookie.js';

describe('newVoterId', () => {
  it('makes ids that match the contract and do not repeat, across refills of the random pool', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newVoterId();
      assert.match(id, VOTER_ID);
      assert.equal(id.length, 24);
      ids.add(id);
    }
    assert.equal(ids.size, 5000);
  });
});
