import assert from 'node:assert/strict';
import { runInThisContext } from 'node:vm';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BernsteinError, ErrorCode } from '@bernstein/common';
import { renderErrorPage } from '../src/views/error-page.js';
import { CLOCK_JS, clockTime, PERCENTAGES_JS, percentages } from '../src/views/format.js';
import { displayUrl, votingUrl } from '../src/views/links.js';
import { qrSvg } from '@bernstein/common';
import { rootFrom } from '../src/views/theme.js';

/** The page script's copy of the algorithm, run as the browser would run it (in its own scope). */
const scriptPercentages = runInThisContext(`(() => { ${PERCENTAGES_JS}; return pcts; })()`) as (votes: number[]) => number[];
const scriptClock = runInThisContext(`(() => { ${CLOCK_JS}; return clock; })()`) as (iso: string) => string;

describe('percentages (largest remainder)', () => {
  it('sums to 100 for counts whose rounded shares do not', () => {
    // Rounded: 33 + 33 + 33 = 99; 17 + 17 + 17 + 17 + 17 + 17 = 102; 13+13+13+13+13+13+13+13 = 104 (one of 12.5 each).
    assert.deepEqual(percentages([1, 1, 1]), [34, 33, 33]);
    assert.deepEqual(percentages([1, 1, 1, 1, 1, 1]), [17, 17, 17, 17, 16, 16]);
    assert.deepEqual(percentages([1, 1, 1, 1, 1, 1, 1, 1]), [13, 13, 13, 13, 12, 12, 12, 12]);
    // 12/36, 17/36, 5/36, 2/36 = 33.3, 47.2, 13.9, 5.6: rounding each gives 101.
    assert.deepEqual(percentages([12, 17, 5, 2]), [33, 47, 14, 6]);
    // 2/3 and 1/3 of 3, with a zero: 66.7 + 33.3.
    assert.deepEqual(percentages([2, 0, 1]), [67, 0, 33]);
  });

  it('breaks ties by votes, then by position, and gives nothing to an option without votes', () => {
    // 1/7 = 14.29 each: remainders equal, the two extra points go to the first two.
    assert.deepEqual(percentages([1, 1, 1, 1, 1, 1, 1]), [15, 15, 14, 14, 14, 14, 14]);
    assert.deepEqual(percentages([0, 0, 5]), [0, 0, 100]);
    assert.deepEqual(percentages([0, 0, 0]), [0, 0, 0], 'no votes: no shares');
    assert.deepEqual(percentages([]), []);
  });

  it('always sums to 100, stays within 1 of the exact share, and the page script agrees', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 20 }), (votes) => {
        const shares = percentages(votes);
        const total = votes.reduce((s, v) => s + v, 0);
        assert.equal(
          shares.reduce((s, p) => s + p, 0),
          total === 0 ? 0 : 100,
        );
        votes.forEach((v, i) => {
          const exact = total === 0 ? 0 : (v * 100) / total;
          assert.ok(Math.abs((shares[i] ?? NaN) - exact) < 1, `${shares[i]} vs ${exact}`);
        });
        assert.deepEqual(scriptPercentages(votes), shares);
      }),
      { numRuns: 500 },
    );
  });
});

describe('clock time', () => {
  it('is "HH:MM:SS UTC" on the server and in the page script', () => {
    assert.equal(clockTime('2026-11-29T19:41:07.123Z'), '19:41:07 UTC');
    assert.equal(clockTime('2026-11-29T21:41:07.123+02:00'), '19:41:07 UTC');
    assert.equal(scriptClock('2026-11-29T19:41:07.123Z'), '19:41:07 UTC');
  });
});

describe('links', () => {
  it('finds the voting page of a poll under POLL_URL', () => {
    assert.equal(votingUrl('https://vote.example.org/', 'default', true), 'https://vote.example.org/');
    assert.equal(votingUrl('https://vote.example.org/', 'lunch', false), 'https://vote.example.org/polls/lunch');
    assert.equal(votingUrl('https://example.org/vote/', 'lunch', false), 'https://example.org/vote/polls/lunch');
    assert.equal(votingUrl(undefined, 'lunch', false), undefined);
    assert.equal(displayUrl('https://vote.example.org/'), 'vote.example.org');
    assert.equal(displayUrl('http://127.0.0.1:8080/polls/lunch'), '127.0.0.1:8080/polls/lunch');
  });

  it('walks back to the root relatively from any page', () => {
    assert.equal(rootFrom('/'), './');
    assert.equal(rootFrom('/polls'), './');
    assert.equal(rootFrom('/polls/x'), '../');
    assert.equal(rootFrom('/polls/x/present?a=/b/c'), '../../');
    assert.equal(rootFrom('/a/b/c/'), '../../../');
  });
});

describe('QR code', () => {
  it('is an inline SVG of dark modules on a white square, the same every time', () => {
    const svg = qrSvg('https://vote.example.org/polls/lunch', 'QR code of the voting page');
    assert.match(svg, /^<svg class="qr" xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="-4 -4 (\d+) \1"/);
    assert.match(svg, /role="img" aria-label="QR code of the voting page"/);
    assert.match(svg, /<rect x="-4" y="-4" width="\d+" height="\d+" fill="#fff"\/><path fill="#000" d="M0 0h7v1h-7z/, 'a finder pattern at the top left');
    assert.equal(qrSvg('https://vote.example.org/polls/lunch', 'QR code of the voting page'), svg);
    assert.notEqual(qrSvg('https://vote.example.org/polls/dinner', 'QR code of the voting page'), svg);
  });
});

describe('error page', () => {
  it('speaks to voters, links back relative to the request, and never echoes the request', () => {
    const html = renderErrorPage(new BernsteinError(ErrorCode.POLL_NOT_FOUND, 'poll "<x>" does not exist', 404), '/polls/%3Cx%3E');
    assert.match(html, /<h1>This poll does not exist<\/h1>/);
    assert.match(html, /<a href="\.\.\/polls">See all polls<\/a><a href="\.\.\/">Main results<\/a>/);
    assert.doesNotMatch(html, /<x>|does not exist:|GET/);
    const server = renderErrorPage(new BernsteinError(ErrorCode.INTERNAL, 'internal error', 500), '/');
    assert.match(server, /<h1>Something went wrong on our side<\/h1>/);
    assert.match(server, /<a href="\.\/polls">See all polls<\/a>/);
  });
});
