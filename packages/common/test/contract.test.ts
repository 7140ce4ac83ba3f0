import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BernsteinError, compareStreamIds, CONTRACT_VERSION, decodeVote, encodeVote, ErrorCode, parseStreamId } from '@bernstein/common';

const vote = { poll: 'default', voter: 'Zx3_k9-abcdefghijklmn', option: 'a', at: 1_763_790_000_000 };

function malformed(fields: string[], reason: RegExp): void {
  assert.throws(
    () => decodeVote(fields),
    (err: unknown) => err instanceof BernsteinError && err.code === ErrorCode.ENTRY_MALFORMED && reason.test(err.message),
  );
}

describe('stream entry contract', () => {
  it('round-trips a vote with its schema version', () => {
    const fields = encodeVote(vote);
    assert.equal(fields[1], String(CONTRACT_VERSION));
    assert.deepEqual(decodeVote(fields), vote);
  });

  it('rejects malformed entries with the reason', () => {
    malformed(['v', '1', 'poll'], /odd number/);
    malformed(encodeVote(vote).map((f) => (f === '1' ? '99' : f)), /unsupported schema version "99"/);
    malformed(encodeVote({ ...vote, voter: 'short' }), /"voter"/);
    malformed(encodeVote({ ...vote, option: 'A B' }), /"option"/);
    malformed(encodeVote({ ...vote, poll: '' }), /"poll"/);
    malformed(['v', '1', 'poll', 'p', 'voter', vote.voter, 'option', 'a', 'at', 'yesterday'], /"at"/);
  });

  it('orders stream ids numerically, not as text', () => {
    assert.ok(compareStreamIds('9-0', '10-0') < 0);
    assert.ok(compareStreamIds('10-2', '10-10') < 0);
    assert.equal(compareStreamIds('18446744073709551615-1', '18446744073709551615-1'), 0);
    assert.ok(compareStreamIds('18446744073709551615-0', '18446744073709551614-99') > 0);
    assert.deepEqual(parseStreamId('1763790000000-7'), { ms: '1763790000000', seq: '7' });
    assert.throws(() => parseStreamId('abc'), /bad stream id/);
  });
});
