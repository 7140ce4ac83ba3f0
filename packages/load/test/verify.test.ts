import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addTallies, comparePoll, nonZero, verdict } from '../src/verify.js';

describe('verification', () => {
  it('passes when every option matches', () => {
    const v = verdict([comparePoll('p', { a: 2, b: 1 }, { b: 1, a: 2 })]);
    assert.deepEqual({ ok: v.ok, missing: v.missing, extra: v.extra }, { ok: true, missing: 0, extra: 0 });
  });

  it('reports lost votes as missing and double-counted ones as extra, per option', () => {
    const p = comparePoll('p', { a: 5, b: 3, c: 1 }, { a: 4, b: 5 });
    assert.deepEqual(p.delta, { a: -1, b: 2, c: -1 });
    assert.equal(p.missing, 2);
    assert.equal(p.extra, 2);
    assert.equal(p.expectedTotal, 9);
    assert.equal(p.actualTotal, 9);
    const v = verdict([p, comparePoll('q', { a: 1 }, { a: 2 })]);
    assert.deepEqual({ ok: v.ok, missing: v.missing, extra: v.extra }, { ok: false, missing: 2, extra: 3 });
  });

  it('adds a baseline and ignores zero counts', () => {
    assert.deepEqual(addTallies({ a: 1, b: 2 }, { b: 1, c: 4 }), { a: 1, b: 3, c: 4 });
    assert.deepEqual(nonZero({ a: 0, b: 2 }), { b: 2 });
  });
});
