import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from '../src/cli.js';

describe('bernstein load options', () => {
  it('has defaults that drive the local run', () => {
    const a = parse([]);
    assert.deepEqual(a.load.pollUrls, ['http://127.0.0.1:8080']);
    assert.equal(a.load.resultUrl, 'http://127.0.0.1:8081');
    assert.equal(a.load.durationMs, 10_000);
    assert.equal(a.load.votes, undefined);
    assert.equal(a.chaos, false);
  });

  it('takes several poll URLs, Host headers, weights and counts', () => {
    const a = parse(['--poll-url', 'http://a:1', '--poll-url', 'http://b:2', '--poll-host', 'poll.dop.io', '--result-host', 'result.dop.io', '--votes', '500', '--polls', 'default:3,other', '--revote-share', '0.5', '--pipelining', '4']);
    assert.deepEqual(a.load.pollUrls, ['http://a:1', 'http://b:2']);
    assert.equal(a.load.pollHost, 'poll.dop.io');
    assert.equal(a.load.resultHost, 'result.dop.io');
    assert.equal(a.load.votes, 500);
    assert.equal(a.load.durationMs, undefined);
    assert.deepEqual(a.load.polls, [{ id: 'default', weight: 3 }, { id: 'other', weight: 1 }]);
    assert.equal(a.load.revoteShare, 0.5);
    assert.equal(a.load.pipelining, 4);
  });

  it('names the bad option', () => {
    assert.throws(() => parse(['--voters', '0']), /--voters "0": expected a positive integer/);
    assert.throws(() => parse(['--revote-share', '2']), /--revote-share "2": expected a number from 0 to 1/);
    assert.throws(() => parse(['--votes', '10', '--duration', '5']), /--votes or --duration, not both/);
    assert.throws(() => parse(['--chaos', '--votes', '10']), /--chaos runs for a --duration/);
    assert.throws(() => parse(['--polls', 'Bad!']), /--polls: "Bad!" is not a poll id/);
    assert.throws(() => parse(['--frobnicate']), /frobnicate/);
  });

  it('runs chaos for 30 seconds unless told otherwise', () => {
    const a = parse(['--chaos', '--kill-every', '2', '--workers', '3']);
    assert.equal(a.chaos, true);
    assert.equal(a.load.durationMs, 30_000);
    assert.equal(a.chaosOptions.killEveryMs, 2000);
    assert.equal(a.chaosOptions.workers, 3);
  });
});
