import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Visibility } from '../src/visibility.js';

describe('Visibility', () => {
  it('marks a first vote visible at the first event whose total reaches the total it made', () => {
    const v = new Visibility();
    v.baseline('p', 10);
    v.acknowledged('p', 100); // expected total 11
    v.acknowledged('p', 110); // 12
    v.seen('p', 10, 120); // nothing yet
    assert.equal(v.samples.count, 0);
    v.seen('p', 11, 130);
    v.seen('p', 12, 200);
    assert.deepEqual(v.samples.summary(), { count: 2, p50: 30, p95: 90, p99: 90, max: 90, mean: 60 });
    assert.equal(v.waiting, 0);
  });

  it('counts a vote the stream already showed as visible at once', () => {
    const v = new Visibility();
    v.baseline('p', 0);
    v.seen('p', 1, 50); // another instance was faster than our acknowledgement
    v.acknowledged('p', 60);
    assert.equal(v.samples.summary()?.max, 0);
  });

  it('ignores polls without a baseline', () => {
    const v = new Visibility();
    v.acknowledged('x', 1);
    v.seen('x', 5, 2);
    assert.equal(v.samples.count, 0);
  });
});
