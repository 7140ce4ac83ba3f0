import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../src/backoff.js';

describe('backoffDelay', () => {
  const opts = { baseMs: 100, maxMs: 1000 };

  it('doubles per attempt up to the cap, between half and all of the ceiling', () => {
    assert.equal(backoffDelay(0, opts, () => 0), 50);
    assert.equal(backoffDelay(0, opts, () => 1), 100);
    assert.equal(backoffDelay(3, opts, () => 1), 800);
    assert.equal(backoffDelay(4, opts, () => 1), 1000);
    assert.equal(backoffDelay(500, opts, () => 1), 1000);
    assert.equal(backoffDelay(500, opts, () => 0), 500);
  });

  it('is jittered: different random draws give different delays within bounds', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(2, opts));
    assert.ok(delays.every((d) => d >= 200 && d <= 400), 'within [ceiling/2, ceiling]');
    assert.ok(new Set(delays).size > 10, 'not all the same');
  });
});
