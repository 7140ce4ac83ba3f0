import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '@bernstein/common';
import { cookieHeader, FORM_HEADERS, JSON_HEADERS, setCookies, startHarness, type Harness, useHarness } from '../helpers.js';

const HOST = 'poll.example.org';

describe('cross-site form posts', () => {
  let h: Harness;
  let cookie: string;
  before(async () => {
    // One voter votes many times here: the change limit is not what this test is about.
    h = await startHarness({ VOTE_CHANGES_BURST: '100' });
    const first = await h.app.inject({ method: 'POST', url: '/', headers: { ...FORM_HEADERS, host: HOST, origin: `https://${HOST}` }, payload: 'vote=a' });
    assert.equal(first.statusCode, 303);
    cookie = cookieHeader(setCookies(first.headers).get('bernstein_voter') as string);
  });
  after(async () => {
    await h.close();
  });

  const refused: { name: string; headers: Record<string, string>; evidence: string }[] = [
    { name: 'Origin of another site', headers: { origin: 'https://evil.example' }, evidence: 'Origin "https://evil.example"' },
    { name: 'Origin of another port', headers: { origin: `https://${HOST}:8443` }, evidence: `Origin "https://${HOST}:8443"` },
    { name: 'Origin null (sandboxed frame, data: URL)', headers: { origin: 'null' }, evidence: 'Origin "null"' },
    { name: 'Sec-Fetch-Site cross-site, no Origin', headers: { 'sec-fetch-site': 'cross-site' }, evidence: 'Sec-Fetch-Site "cross-site"' },
    { name: 'Sec-Fetch-Site same-site, no Origin', headers: { 'sec-fetch-site': 'same-site' }, evidence: 'Sec-Fetch-Site "same-site"' },
    { name: 'Referer of another site, nothing else', headers: { referer: 'https://evil.example/page' }, evidence: 'Referer "https://evil.example/page"' },
  ];

  for (const t of refused) {
    it(`refuses a form with ${t.name}: 403 CROSS_SITE_REQUEST, nothing written, cookie untouched`, async () => {
      const before = await h.streamLength();
      const res = await h.app.inject({ method: 'POST', url: '/', headers: { ...FORM_HEADERS, host: HOST, cookie, ...t.headers }, payload: 'vote=c' });
      assert.equal(res.statusCode, 403);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(res.body, /This vote was sent from another website, so it was not recorded\./);
      assert.equal(await h.streamLength(), before);
      assert.equal(res.headers['set-cookie'], undefined, 'no cookie is set or cleared');
    });
  }

  it('says which evidence it found in the message of the page routes (API format for unknown paths unaffected)', async () => {
    for (const t of refused) {
      const res = await h.app.inject({ method: 'POST', url: '/polls/lunch', headers: { ...FORM_HEADERS, host: HOST, ...t.headers }, payload: 'vote=pizza' });
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /another website/);
    }
    assert.match(await h.metrics.metrics(), new RegExp(`bernstein_poll_votes_rejected_total\\{code="${ErrorCode.CROSS_SITE_REQUEST}",service="poll"\\} ${refused.length * 2}`));
  });

  const accepted: { name: string; headers: Record<string, string> }[] = [
    { name: 'its own Origin', headers: { origin: `https://${HOST}` } },
    { name: 'its own Origin over plain HTTP (scheme not compared: TLS may end at the proxy)', headers: { origin: `http://${HOST}` } },
    { name: 'Sec-Fetch-Site same-origin', headers: { 'sec-fetch-site': 'same-origin' } },
    { name: 'Sec-Fetch-Site none (typed by the user)', headers: { 'sec-fetch-site': 'none' } },
    { name: 'its own Referer', headers: { referer: `https://${HOST}/polls/lunch` } },
    { name: 'none of the three (not a browser page: curl, scripts)', headers: {} },
  ];
  for (const t of accepted) {
    it(`accepts a form with ${t.name}`, async () => {
      const res = await h.app.inject({ method: 'POST', url: '/', headers: { ...FORM_HEADERS, host: HOST, cookie, ...t.headers }, payload: 'vote=b' });
      assert.equal(res.statusCode, 303, res.body);
    });
  }

  it('guards "Start over" the same way, and lets the own page clear the cookie', async () => {
    const forged = await h.app.inject({ method: 'POST', url: '/voter/reset', headers: { ...FORM_HEADERS, host: HOST, cookie, origin: 'https://evil.example' }, payload: 'return=/' });
    assert.equal(forged.statusCode, 403);
    assert.equal(forged.headers['set-cookie'], undefined);
    const own = await h.app.inject({ method: 'POST', url: '/voter/reset', headers: { ...FORM_HEADERS, host: HOST, cookie, origin: `https://${HOST}` }, payload: 'return=/polls/lunch' });
    assert.equal(own.statusCode, 303);
    assert.equal(own.headers.location, '/polls/lunch');
    assert.match(setCookies(own.headers).get('bernstein_voter') ?? '', /^bernstein_voter=;.*Max-Age=0/);
    const elsewhere = await h.app.inject({ method: 'POST', url: '/voter/reset', headers: { ...FORM_HEADERS, host: HOST }, payload: 'return=https://evil.example/' });
    assert.equal(elsewhere.headers.location, '/', 'never an open redirect');
  });
});

describe('JSON API bodies are UTF-8 only', () => {
  const h = useHarness();

  for (const type of ['application/json; charset=utf-16', 'application/json; charset=UTF-16LE', 'application/json;charset="iso-8859-1"']) {
    it(`refuses ${type} with 415 UNSUPPORTED_MEDIA_TYPE in the documented format`, async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/polls/default/votes', headers: { 'content-type': type }, payload: Buffer.from('{"option":"a"}', 'utf16le') });
      assert.equal(res.statusCode, 415);
      assert.deepEqual(res.json(), {
        error: { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: `unsupported Content-Type ${JSON.stringify(type)}; expected application/json (UTF-8)` },
      });
      assert.equal(await h.streamLength(), 0);
    });
  }

  for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'application/json; charset=utf8']) {
    it(`accepts ${type}`, async () => {
      const res = await h.app.inject({ method: 'POST', url: '/api/polls/default/votes', headers: { ...JSON_HEADERS, 'content-type': type }, payload: '{"option":"a"}' });
      assert.equal(res.statusCode, 202);
    });
  }
});
