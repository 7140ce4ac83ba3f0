import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signerFactory } from '@fastify/cookie';
import { compareStreamIds, ErrorCode, type ErrorBody, VOTER_ID } from '@bernstein/common';
import { COOKIE_SECRET, cookieHeader, cookieValue, JSON_HEADERS, configured, POLLS, setCookies, startHarness, useHarness } from '../helpers.js';

const VOTES = '/api/polls/default/votes';

describe('poll JSON API', () => {
  const h = useHarness();

  it('lists the configured polls with their options', async () => {
    const res = await h.app.inject('/api/polls');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    assert.deepEqual(res.json(), { polls: POLLS.map(configured) });
  });

  it('describes one poll, and answers 404 POLL_NOT_FOUND for an unknown one', async () => {
    const res = await h.app.inject('/api/polls/lunch');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), configured(POLLS[1]));
    const missing = await h.app.inject('/api/polls/nope');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<ErrorBody>().error.code, ErrorCode.POLL_NOT_FOUND);
    assert.match(missing.json<ErrorBody>().error.message, /"nope"/);
  });

  it('appends a vote and answers 202 with the stream id as receipt and a signed voter cookie', async () => {
    const before = await h.streamLength();
    const res = await h.app.inject({ method: 'POST', url: VOTES, headers: JSON_HEADERS, payload: { option: 'b' } });
    assert.equal(res.statusCode, 202);
    const body = res.json<{ poll: string; option: string; receipt: string }>();
    assert.equal(body.poll, 'default');
    assert.equal(body.option, 'b');
    assert.match(body.receipt, /^\d+-\d+$/);
    assert.equal(await h.streamLength(), before + 1);

    const entry = (await h.entries()).find((e) => e.id === body.receipt);
    assert.ok(entry, 'the receipt is the id of the stream entry');
    const cookie = setCookies(res.headers).get('bernstein_voter');
    assert.ok(cookie, 'a new voter gets a cookie');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.match(cookie, /Max-Age=31536000/);
    const signed = cookieValue(cookie);
    const unsigned = signerFactory(COOKIE_SECRET).unsign(signed);
    assert.equal(unsigned.valid, true, 'the cookie is signed with COOKIE_SECRET');
    assert.match(unsigned.value, VOTER_ID);
    assert.deepEqual({ ...entry.fields, at: undefined }, { v: '1', poll: 'default', voter: unsigned.value, option: 'b', at: undefined });
    assert.ok(Math.abs(Number(entry.fields.at) - Date.now()) < 60_000, 'at is the acceptance time in ms');
  });

  it('gives every new voter a different id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await h.app.inject({ method: 'POST', url: VOTES, headers: JSON_HEADERS, payload: { option: 'a' } });
      ids.add(cookieValue(setCookies(res.headers).get('bernstein_voter') as string));
    }
    assert.equal(ids.size, 20);
  });

  it('appends a re-vote by the same voter as a second entry with the same voter id and no new cookie', async () => {
    const first = await h.app.inject({ method: 'POST', url: VOTES, headers: JSON_HEADERS, payload: { option: 'a' } });
    const cookie = setCookies(first.headers).get('bernstein_voter') as string;
    const second = await h.app.inject({
      method: 'POST',
      url: VOTES,
      headers: { ...JSON_HEADERS, cookie: cookieHeader(cookie) },
      payload: { option: 'c' },
    });
    assert.equal(second.statusCode, 202);
    assert.equal(setCookies(second.headers).has('bernstein_voter'), false);
    const entries = await h.entries();
    const a = entries.find((e) => e.id === first.json<{ receipt: string }>().receipt);
    const c = entries.find((e) => e.id === second.json<{ receipt: string }>().receipt);
    assert.ok(a && c);
    assert.equal(a.fields.voter, c.fields.voter);
    assert.deepEqual([a.fields.option, c.fields.option], ['a', 'c']);
    assert.ok(compareStreamIds(a.id, c.id) < 0, 'the re-vote comes later in the stream');
  });

  it('accepts votes in other polls and a charset in the content type', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/polls/lunch/votes',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ option: 'soup' }),
    });
    assert.equal(res.statusCode, 202);
    assert.deepEqual({ ...res.json<object>(), receipt: undefined }, { poll: 'lunch', option: 'soup', receipt: undefined });
  });

  const otherSecret = signerFactory('another-secret-that-is-at-least-32-characters');
  const ours = signerFactory(COOKIE_SECRET);
  const bad: {
    name: string;
    url?: string;
    headers?: Record<string, string>;
    payload?: string;
    status: number;
    code: string;
    message: RegExp;
  }[] = [
    { name: 'unknown poll', url: '/api/polls/nope/votes', payload: '{"option":"a"}', status: 404, code: ErrorCode.POLL_NOT_FOUND, message: /no poll with id "nope"/ },
    { name: 'unknown poll with a bad body too', url: '/api/polls/nope/votes', payload: '{}', status: 404, code: ErrorCode.POLL_NOT_FOUND, message: /"nope"/ },
    { name: 'unknown option', payload: '{"option":"zzz"}', status: 400, code: ErrorCode.OPTION_UNKNOWN, message: /no option "zzz"; valid options are: a, b, c/ },
    { name: 'option of another poll', payload: '{"option":"pizza"}', status: 400, code: ErrorCode.OPTION_UNKNOWN, message: /"pizza"/ },
    { name: 'missing field', payload: '{}', status: 400, code: ErrorCode.BODY_INVALID, message: /required property 'option'/ },
    { name: 'option not a string', payload: '{"option":1}', status: 400, code: ErrorCode.BODY_INVALID, message: /option must be string/ },
    { name: 'empty option', payload: '{"option":""}', status: 400, code: ErrorCode.BODY_INVALID, message: /option must NOT have fewer than 1 characters/ },
    { name: 'extra field', payload: '{"option":"a","voter":"x"}', status: 400, code: ErrorCode.BODY_INVALID, message: /additional properties/ },
    { name: 'array body', payload: '["a"]', status: 400, code: ErrorCode.BODY_INVALID, message: /body must be object/ },
    { name: 'malformed JSON', payload: '{"option":', status: 400, code: ErrorCode.BODY_INVALID, message: /not valid JSON/ },
    { name: 'empty body', payload: '', status: 400, code: ErrorCode.BODY_INVALID, message: /empty/ },
    { name: 'body over the limit', payload: JSON.stringify({ option: 'a'.repeat(5000) }), status: 413, code: ErrorCode.BODY_TOO_LARGE, message: /larger than the limit of 4096 bytes/ },
    { name: 'text/plain', headers: { 'content-type': 'text/plain' }, payload: '{"option":"a"}', status: 415, code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: /"text\/plain"; expected application\/json/ },
    { name: 'form body on the JSON API', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'option=a', status: 415, code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: /x-www-form-urlencoded/ },
    { name: 'no content type', headers: {}, payload: '{"option":"a"}', status: 415, code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: /Content-Type none/ },
    { name: 'cookie without signature', headers: { ...JSON_HEADERS, cookie: 'bernstein_voter=AAAAAAAAAAAAAAAAAAAAAAAA' }, payload: '{"option":"a"}', status: 400, code: ErrorCode.COOKIE_INVALID, message: /bad signature/ },
    { name: 'tampered cookie', headers: { ...JSON_HEADERS, cookie: `bernstein_voter=${encodeURIComponent(ours.sign('AAAAAAAAAAAAAAAAAAAAAAAA').replace('AAAA', 'BBBB'))}` }, payload: '{"option":"a"}', status: 400, code: ErrorCode.COOKIE_INVALID, message: /bad signature/ },
    { name: 'cookie signed with another key', headers: { ...JSON_HEADERS, cookie: `bernstein_voter=${encodeURIComponent(otherSecret.sign('AAAAAAAAAAAAAAAAAAAAAAAA'))}` }, payload: '{"option":"a"}', status: 400, code: ErrorCode.COOKIE_INVALID, message: /bad signature/ },
    { name: 'signed but malformed voter id', headers: { ...JSON_HEADERS, cookie: `bernstein_voter=${encodeURIComponent(ours.sign('short'))}` }, payload: '{"option":"a"}', status: 400, code: ErrorCode.COOKIE_INVALID, message: /malformed voter id/ },
  ];

  for (const t of bad) {
    it(`refuses ${t.name}: ${t.status} ${t.code}, and writes nothing`, async () => {
      const before = await h.streamLength();
      const res = await h.app.inject({ method: 'POST', url: t.url ?? VOTES, headers: t.headers ?? JSON_HEADERS, payload: t.payload ?? '' });
      assert.equal(res.statusCode, t.status, res.body);
      assert.match(res.headers['content-type'] as string, /^application\/json/);
      const { error } = res.json<ErrorBody>();
      assert.equal(error.code, t.code);
      assert.match(error.message, t.message);
      assert.equal(await h.streamLength(), before);
      // Neither cleared nor replaced: a new identity is only ever the voter's explicit choice.
      assert.equal(setCookies(res.headers).has('bernstein_voter'), false, 'a refused vote sets no voter cookie');
    });
  }

  it('answers JSON 404 for unknown API paths', async () => {
    const res = await h.app.inject('/api/nothing');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<ErrorBody>().error.code, ErrorCode.NOT_FOUND);
  });

  it('counts accepted votes by poll, rejections by code, and times the Redis appends', async () => {
    const text = await h.metrics.metrics();
    const value = (re: RegExp) => Number(re.exec(text)?.[1]);
    assert.ok(value(/bernstein_poll_votes_accepted_total\{poll="default",service="poll"\} (\d+)/) >= 23);
    assert.equal(value(/bernstein_poll_votes_accepted_total\{poll="lunch",service="poll"\} (\d+)/), 1);
    assert.ok(value(/bernstein_poll_votes_rejected_total\{code="OPTION_UNKNOWN",service="poll"\} (\d+)/) >= 2);
    assert.ok(value(/bernstein_poll_votes_rejected_total\{code="VOTER_COOKIE_INVALID",service="poll"\} (\d+)/) >= 4);
    assert.ok(value(/bernstein_poll_redis_append_duration_seconds_count\{service="poll"\} (\d+)/) >= 24);
    assert.doesNotMatch(text, /option="/, 'no per-option label');
  });
});

describe('voter cookie key', () => {
  it('lets replicas that share COOKIE_SECRET recognise each other’s voters', async () => {
    const one = await startHarness();
    const two = await startHarness({}, one.server);
    try {
      const first = await one.app.inject({ method: 'POST', url: VOTES, headers: JSON_HEADERS, payload: { option: 'a' } });
      const cookie = setCookies(first.headers).get('bernstein_voter') as string;
      const second = await two.app.inject({ method: 'POST', url: VOTES, headers: { ...JSON_HEADERS, cookie: cookieHeader(cookie) }, payload: { option: 'b' } });
      assert.equal(second.statusCode, 202);
      const entries = await one.entries();
      assert.equal(entries.length, 2);
      assert.equal(entries[0]?.fields.voter, entries[1]?.fields.voter);
    } finally {
      await two.close();
      await one.close();
    }
  });

  it('without COOKIE_SECRET uses a random per-process key, warns, and refuses cookies from another process', async () => {
    const one = await startHarness({ COOKIE_SECRET: '' });
    const two = await startHarness({ COOKIE_SECRET: '' }, one.server);
    try {
      const warning = one.logLines.find((l) => l.level === 40 && /COOKIE_SECRETS is not set/.test(String(l.msg)));
      assert.ok(warning, 'a warning says replicas must share COOKIE_SECRETS');
      assert.match(String(warning.msg), /every poll replica/);
      const first = await one.app.inject({ method: 'POST', url: VOTES, headers: JSON_HEADERS, payload: { option: 'a' } });
      const cookie = cookieHeader(setCookies(first.headers).get('bernstein_voter') as string);
      const again = await one.app.inject({ method: 'POST', url: VOTES, headers: { ...JSON_HEADERS, cookie }, payload: { option: 'b' } });
      assert.equal(again.statusCode, 202, 'the same process verifies its own cookies');
      const elsewhere = await two.app.inject({ method: 'POST', url: VOTES, headers: { ...JSON_HEADERS, cookie }, payload: { option: 'c' } });
      assert.equal(elsewhere.statusCode, 400);
      assert.equal(elsewhere.json<ErrorBody>().error.code, ErrorCode.COOKIE_INVALID);
      assert.equal(await one.streamLength(), 2);
    } finally {
      await two.close();
      await one.close();
    }
  });
});
