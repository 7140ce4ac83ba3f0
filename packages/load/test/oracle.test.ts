import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Oracle } from '../src/oracle.js';
import { compareReceipts, parseReceipt } from '../src/receipt.js';

const r = (text: string) => {
  const parsed = parseReceipt(text);
  assert.ok(parsed, text);
  return parsed;
};

describe('receipts', () => {
  it('order by milliseconds, then by sequence, numerically', () => {
    assert.ok(compareReceipts(r('1700000000000-9'), r('1700000000000-10')) < 0);
    assert.ok(compareReceipts(r('1700000000001-0'), r('1700000000000-99')) > 0);
    assert.equal(compareReceipts(r('5-5'), r('5-5')), 0);
  });

  it('rejects what is not a stream id', () => {
    for (const bad of ['', '12', '1-2-3', 'a-1', ' 1-2', 42, undefined, '1234567890123456-0']) assert.equal(parseReceipt(bad), undefined, String(bad));
  });
});

describe('Oracle', () => {
  it('keeps the vote with the latest receipt, whatever order the acknowledgements arrive in', () => {
    const o = new Oracle();
    assert.equal(o.record('p', 1, 'b', r('100-1')), true);
    assert.equal(o.record('p', 1, 'c', r('100-0')), false); // older, acknowledged later
    assert.deepEqual(o.tallies('p'), { b: 1 });
    assert.equal(o.record('p', 1, 'd', r('101-0')), false);
    assert.deepEqual(o.tallies('p'), { d: 1 });
  });

  it('counts one vote per voter and poll', () => {
    const o = new Oracle();
    o.record('p', 1, 'a', r('1-0'));
    o.record('p', 2, 'a', r('2-0'));
    o.record('q', 1, 'b', r('3-0'));
    o.record('p', 2, 'b', r('4-0'));
    assert.deepEqual(o.tallies('p'), { a: 1, b: 1 });
    assert.deepEqual(o.tallies('q'), { b: 1 });
    assert.equal(o.voters('p'), 2);
    assert.deepEqual(o.polls().sort(), ['p', 'q']);
  });
});
