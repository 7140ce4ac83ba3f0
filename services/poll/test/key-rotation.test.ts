/**
 * COOKIE_SECRETS rotation: the first key signs, every key verifies. Replicas mid-rollout
 * (`A` beside `B,A`) agree on who a browser is, and a cookie that a replica cannot verify is
 * refused, never replaced by a new identity: one browser is one voter, whichever replica
 * answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, type ErrorBody } from '@bernstein/common';
import { cookieHeader, JSON_HEADERS, setCookies, startHarness, type Harness } from './helpers.js';

const KEY_A = 'Zq3vN8pT1wLx6bYc0RkEoU5sJ2mHfGd9aVtPn4Ci7Qe';
const KEY_B = 'Lm8Rt2Yw5Qa1Xk9Vb3Nc7Hd0Jf6Gp4Se1Ui8Oz2Ae5T';
const VOTES = '/api/polls/default/votes';

/** A browser: one cookie jar, updated from every Set-Cookie it gets. */
class Browser {
  cookie: string | undefined;
  async vote(h: Harness, option: string) {
    const res = await h.app.inject({ method: 'POST', url: VOTES, headers: { ...JSON_HEADERS, ...(this.cookie ? { cookie: this.cookie } : {}) }, payload: { option } });
    const set = setCookies(res.headers).get('bernstein_voter');
    if (set !== undefined) this.cookie = cookieHeader(set);
    return res;
  }
}

describe('voter cookie key rotation (COOKIE_SECRETS)', () => {
  let oldOnly: Harness;
  let rotated: Harness;
  before(async () => {
    oldOnly = await startHarness({ COOKIE_SECRET: '', COOKIE_SECRETS: KEY_A });
    rotated = await startHarness({ COOKIE_SECRET: '', COOKIE_SECRETS: `${KEY_B},${KEY_A}` }, oldOnly.server);
  });
  after(async () => {
    await rotated.close();
    await oldOnly.close();
  });

  it('keeps the identity of voters created under key A after COOKIE_SECRETS=B,A', async () => {
    const browser = new Browser();
    assert.equal((await browser.vote(oldOnly, 'a')).statusCode, 202);
    const before = browser.cookie;
    const res = await browser.vote(rotated, 'b');
    assert.equal(res.statusCode, 202);
    assert.notEqual(browser.cookie, before, 'the cookie is re-signed with the new key B');
    assert.equal((await browser.vote(rotated, 'c')).statusCode, 202, 'and the re-signed cookie verifies');
    const mine = (await oldOnly.entries()).slice(-3);
    assert.equal(new Set(mine.map((e) => e.fields.voter)).size, 1, 'one voter throughout');
  });

  it('never double-counts a browser bouncing between a replica with A and one with B,A', async () => {
    const browser = new Browser();
    const before = await oldOnly.streamLength();
    const statuses: number[] = [];
    const replicas = [oldOnly, rotated];
    for (let i = 0; i < 10; i++) statuses.push((await browser.vote(replicas[i % 2] as Harness, i % 2 === 0 ? 'a' : 'b')).statusCode);
    const written = (await oldOnly.entries()).slice(before);
    assert.equal(written.length, statuses.filter((s) => s === 202).length, 'only accepted votes are written');
    assert.equal(new Set(written.map((e) => e.fields.voter)).size, 1, `one voter, whatever the replica (statuses ${statuses.join(' ')})`);
  });

  it('refuses a B-signed cookie on the A replica with 400, keeps it, and creates nobody', async () => {
    const browser = new Browser();
    assert.equal((await browser.vote(rotated, 'a')).statusCode, 202);
    const cookie = browser.cookie;
    const before = await oldOnly.streamLength();
    const refused = await browser.vote(oldOnly, 'b');
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json<ErrorBody>().error.code, ErrorCode.COOKIE_INVALID);
    assert.match(refused.json<ErrorBody>().error.message, /could not be verified \(bad signature\), so this vote was not recorded; .*To start over as a new voter, delete the cookie/);
    assert.equal(setCookies(refused.headers).has('bernstein_voter'), false, 'the cookie is neither cleared nor replaced');
    assert.equal(browser.cookie, cookie);
    assert.equal(await oldOnly.streamLength(), before);
  });

  it('takes COOKIE_SECRET alone as a one-element list', async () => {
    const legacy = await startHarness({ COOKIE_SECRET: KEY_A }, oldOnly.server);
    try {
      const browser = new Browser();
      assert.equal((await browser.vote(legacy, 'a')).statusCode, 202);
      assert.equal((await browser.vote(oldOnly, 'b')).statusCode, 202, 'COOKIE_SECRET=A and COOKIE_SECRETS=A are the same key');
    } finally {
      await legacy.close();
    }
  });
});
