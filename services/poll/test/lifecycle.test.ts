/**
 * The poll lifecycle through the admin API, on two poll replicas sharing one real Redis:
 * authorisation (401, nothing changed), bad definitions (400, nothing created), a poll created
 * on one replica votable on the other within 1 s, exact closing, closing times, access codes.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, type ErrorBody, type PollDefinition } from '@bernstein/common';
import { waitFor, type RedisServer } from '@bernstein/local';
import type { FastifyInstance } from 'fastify';
import { cookieHeader, FORM_HEADERS, JSON_HEADERS, setCookies, startHarness, startRedis, type Harness } from './helpers.js';

const TOKEN = 'admin-token-for-tests-0123456789';
const ADMIN = { ...JSON_HEADERS, authorization: `Bearer ${TOKEN}` };

function create(app: FastifyInstance, body: unknown, headers: Record<string, string> = ADMIN) {
  return app.inject({ method: 'POST', url: '/api/polls', headers, payload: JSON.stringify(body) });
}

function vote(app: FastifyInstance, poll: string, option: string, extra: { cookie?: string; code?: string } = {}) {
  return app.inject({
    method: 'POST',
    url: `/api/polls/${poll}/votes`,
    headers: { ...JSON_HEADERS, ...(extra.cookie ? { cookie: extra.cookie } : {}) },
    payload: { option, ...(extra.code === undefined ? {} : { code: extra.code }) },
  });
}

function voterCookie(res: { headers: Record<string, unknown> }): string {
  const line = setCookies(res.headers).get('bernstein_voter');
  assert.ok(line, 'a voter cookie');
  return cookieHeader(line);
}

describe('poll lifecycle across two poll replicas', { timeout: 60_000 }, () => {
  let server: RedisServer;
  let a: Harness;
  let b: Harness;

  before(async () => {
    server = await startRedis();
    a = await startHarness({ ADMIN_TOKEN: TOKEN }, server);
    b = await startHarness({ ADMIN_TOKEN: TOKEN }, server);
  });

  after(async () => {
    await a.close();
    await b.close();
    await server.stop();
    rmSync(server.dir, { recursive: true, force: true });
  });

  const lunch = { question: 'Where do we eat?', options: [{ label: 'Pizza' }, { label: 'Soup' }, { label: 'Salad' }] };

  it('answers 401 without the token or with a wrong one, and changes nothing', async () => {
    const before = await a.streamLength();
    for (const headers of [JSON_HEADERS, { ...JSON_HEADERS, authorization: 'Bearer wrong-token-of-the-same-length!' }, { ...JSON_HEADERS, authorization: TOKEN }]) {
      const res = await create(a.app, { ...lunch, id: 'sneaky' }, headers);
      assert.equal(res.statusCode, 401);
      assert.equal(res.json<ErrorBody>().error.code, ErrorCode.ADMIN_UNAUTHORIZED);
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="bernstein admin"');
    }
    const close = await a.app.inject({ method: 'POST', url: '/api/polls/default/close' });
    assert.equal(close.statusCode, 401);
    const codes = await a.app.inject({ method: 'POST', url: '/api/polls/default/codes', headers: JSON_HEADERS, payload: '{"count":3}' });
    assert.equal(codes.statusCode, 401);
    assert.equal(await a.streamLength(), before);
    assert.deepEqual(await a.inspect.smembers('votes:polls'), []);
    assert.equal((await a.app.inject('/api/polls/sneaky')).statusCode, 404);
  });

  it('answers 400 naming the problem for invalid definitions, and creates nothing', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const cases: [unknown, RegExp][] = [
      [{ question: 'One?', options: [{ label: 'Only' }] }, /"options" must have 2 to 20 options, not 1/],
      [{ question: 'Many?', options: Array.from({ length: 21 }, (_, i) => ({ label: `O${i}` })) }, /2 to 20 options, not 21/],
      [{ question: 'Dup?', options: [{ id: 'x', label: 'X' }, { id: 'x', label: 'Y' }] }, /duplicate option id "x"/],
      [{ question: 'Empty?', options: [{ label: 'A' }, { label: '  ' }] }, /option #2: "label" must be a non-empty text/],
      [{ question: 'Past?', options: [{ label: 'A' }, { label: 'B' }], closesAt: past }, /"closesAt" .* is in the past/],
      [{ question: 'Mode?', options: [{ label: 'A' }, { label: 'B' }], access: 'secret' }, /"access" must be "open" or "codes", not "secret"/],
      [{ question: '', options: [{ label: 'A' }, { label: 'B' }] }, /"question" must be a non-empty text/],
      [{ question: 'Id?', id: 'Bad Id', options: [{ label: 'A' }, { label: 'B' }] }, /"id" must match/],
    ];
    const before = await a.streamLength();
    for (const [body, message] of cases) {
      const res = await create(a.app, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json<ErrorBody>().error.code, ErrorCode.POLL_INVALID);
      assert.match(res.json<ErrorBody>().error.message, message);
    }
    assert.equal(await a.streamLength(), before, 'nothing appended');
    assert.deepEqual(await a.inspect.smembers('votes:polls'), []);
  });

  it('creates a poll on one replica that the other takes votes for within 1 s', async () => {
    const res = await create(a.app, { ...lunch, id: 'lunch2' });
    assert.equal(res.statusCode, 201);
    const poll = res.json<PollDefinition>();
    assert.equal(poll.id, 'lunch2');
    assert.equal(poll.status, 'open');
    assert.equal(poll.managedBy, 'api');
    assert.deepEqual(
      poll.options.map((o) => o.id),
      ['a', 'b', 'c'],
    );
    const started = Date.now();
    await waitFor('replica b to know the poll', async () => assert.equal((await b.app.inject('/api/polls/lunch2')).statusCode, 200), 1000, 10);
    assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
    assert.equal((await vote(b.app, 'lunch2', 'b')).statusCode, 202);
    assert.equal((await b.app.inject('/polls/lunch2')).statusCode, 200);
    const list = (await b.app.inject('/api/polls')).json<{ polls: { id: string; status: string }[] }>();
    assert.deepEqual(
      list.polls.map((p) => [p.id, p.status]),
      [
        ['default', 'open'],
        ['lunch', 'open'],
        ['lunch2', 'open'],
      ],
    );
    const again = await create(b.app, { ...lunch, id: 'lunch2' });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json<ErrorBody>().error.code, ErrorCode.POLL_EXISTS);
    const entries = await a.entries();
    const control = entries.find((e) => e.fields.kind === 'poll');
    assert.equal(control?.fields.poll, 'lunch2');
    assert.equal(control?.fields.status, 'open');
  });

  it('closes exactly: 200, then 409 POLL_CLOSED on every replica, and the page says so', async () => {
    const res = await a.app.inject({ method: 'POST', url: '/api/polls/lunch2/close', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<PollDefinition>().id, 'lunch2');
    assert.equal(res.json<PollDefinition>().status, 'closed');
    for (const h of [a, b]) {
      const refused = await vote(h.app, 'lunch2', 'a');
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json<ErrorBody>().error.code, ErrorCode.POLL_CLOSED);
      assert.equal(setCookies(refused.headers).get('bernstein_voter'), undefined, 'no identity for a refused vote');
    }
    await waitFor('replica b to see the close', async () => assert.equal((await b.app.inject('/api/polls/lunch2')).json<PollDefinition>().status, 'closed'), 1000, 10);
    const page = await b.app.inject('/polls/lunch2');
    assert.match(page.body, /Voting has closed/);
    assert.doesNotMatch(page.body, /<form method="post" action="\/polls\/lunch2"/);
    const form = await b.app.inject({ method: 'POST', url: '/polls/lunch2', headers: FORM_HEADERS, payload: 'vote=a' });
    assert.equal(form.statusCode, 409);
    assert.match(form.body, /Voting in this poll has closed/);
    const votes = (await a.entries()).filter((e) => e.fields.poll === 'lunch2' && e.fields.voter !== undefined);
    assert.equal(votes.length, 1, 'only the vote before the close is in the stream');
    const twice = await a.app.inject({ method: 'POST', url: '/api/polls/lunch2/close', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(twice.statusCode, 200, 'closing is idempotent');
  });

  it('refuses to close a poll of the configuration (409) and an unknown poll (404)', async () => {
    const managed = await a.app.inject({ method: 'POST', url: '/api/polls/default/close', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(managed.statusCode, 409);
    assert.equal(managed.json<ErrorBody>().error.code, ErrorCode.POLL_MANAGED);
    const unknown = await a.app.inject({ method: 'POST', url: '/api/polls/nope/close', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(unknown.statusCode, 404);
    assert.equal((await vote(a.app, 'default', 'a')).statusCode, 202, 'the configured poll still takes votes');
  });

  it('closes at the closing time, by Redis clock, on every replica', async () => {
    const closesAt = new Date(Date.now() + 1500).toISOString();
    assert.equal((await create(a.app, { ...lunch, id: 'timed', closesAt })).statusCode, 201);
    await waitFor('replica b', async () => assert.equal((await b.app.inject('/api/polls/timed')).statusCode, 200), 1000, 10);
    assert.equal((await vote(b.app, 'timed', 'a')).statusCode, 202);
    const statusInList = async (h: Harness) =>
      ((await h.app.inject('/api/polls')).json<{ polls: { id: string; status: string }[] }>()).polls.find((p) => p.id === 'timed')?.status;
    assert.equal(await statusInList(b), 'open');
    await new Promise((r) => setTimeout(r, Date.parse(closesAt) - Date.now() + 50));
    const late = await vote(b.app, 'timed', 'b');
    assert.equal(late.statusCode, 409);
    assert.equal(late.json<ErrorBody>().error.code, ErrorCode.POLL_CLOSED);
    assert.equal((await a.app.inject('/api/polls/timed')).json<PollDefinition>().status, 'closed');
    assert.equal(await statusInList(b), 'closed', 'the cached list follows the closing time');
    await waitFor('the stored status', async () => assert.equal(await a.inspect.hget('votes:poll:timed', 'status'), 'closed'), 2000, 20);
  });

  it('takes votes in codes mode only with a valid one-time code, bound to the voter', async () => {
    assert.equal((await create(a.app, { ...lunch, id: 'class', access: 'codes' })).statusCode, 201);
    await waitFor('replica b', async () => assert.equal((await b.app.inject('/api/polls/class')).statusCode, 200), 1000, 10);
    const none = await vote(b.app, 'class', 'a');
    assert.equal(none.statusCode, 403);
    assert.equal(none.json<ErrorBody>().error.code, ErrorCode.CODE_REQUIRED);
    const res = await a.app.inject({ method: 'POST', url: '/api/polls/class/codes', headers: ADMIN, payload: '{"count":3}' });
    assert.equal(res.statusCode, 201);
    const { codes } = res.json<{ codes: string[] }>();
    assert.equal(codes.length, 3);
    assert.equal(new Set(codes).size, 3);
    for (const c of codes) assert.match(c, /^[A-Z2-9]{10}$/);
    const stored = JSON.stringify(await a.inspect.hgetall('votes:poll:class:codes'));
    for (const c of codes) assert.ok(!stored.includes(c), 'only hashes are stored');

    const unknown = await vote(b.app, 'class', 'a', { code: 'NOTACODE22' });
    assert.equal(unknown.statusCode, 403);
    assert.equal(unknown.json<ErrorBody>().error.code, ErrorCode.CODE_UNKNOWN);
    assert.match(unknown.json<ErrorBody>().error.message, /not valid for this poll/);

    const first = await vote(b.app, 'class', 'a', { code: (codes[0] as string).toLowerCase() });
    assert.equal(first.statusCode, 202, 'codes are case-insensitive');
    const cookie = voterCookie(first);
    assert.equal((await vote(a.app, 'class', 'b', { cookie })).statusCode, 202, 'the bound voter changes its vote without the code');
    const reused = await vote(a.app, 'class', 'c', { code: codes[0] as string });
    assert.equal(reused.statusCode, 403);
    assert.equal(reused.json<ErrorBody>().error.code, ErrorCode.CODE_USED);
    assert.equal((await vote(a.app, 'class', 'c', { code: codes[1] as string })).statusCode, 202);

    const csv = await a.app.inject({ method: 'POST', url: '/api/polls/class/codes', headers: { ...ADMIN, accept: 'text/csv' }, payload: '{"count":2}' });
    assert.equal(csv.statusCode, 201);
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    assert.match(csv.body, /^code\r\n[A-Z2-9]{10}\r\n[A-Z2-9]{10}\r\n$/);
    const open = await a.app.inject({ method: 'POST', url: '/api/polls/timed/codes', headers: ADMIN, payload: '{"count":2}' });
    assert.equal(open.statusCode, 409, 'no codes for a poll in open mode');
    const page = await b.app.inject('/polls/class');
    assert.match(page.body, /name="code"/);
  });

  it('archives: hidden from the list, still readable by id', async () => {
    const res = await a.app.inject({ method: 'POST', url: '/api/polls/timed/archive', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<PollDefinition>().archived, true);
    await waitFor('replica b', async () => {
      const ids = ((await b.app.inject('/api/polls')).json<{ polls: { id: string }[] }>()).polls.map((p) => p.id);
      assert.ok(!ids.includes('timed'), 'archived: left out of the list');
    }, 1000, 10);
    assert.equal((await b.app.inject('/api/polls/timed')).json<PollDefinition>().archived, true);
  });

  it('a restarted replica reads every poll from Redis', async () => {
    const c = await startHarness({ ADMIN_TOKEN: TOKEN }, server);
    try {
      const polls = ((await c.app.inject('/api/polls')).json<{ polls: { id: string; status: string }[] }>()).polls;
      assert.deepEqual(
        polls.map((p) => `${p.id}:${p.status}`),
        ['default:open', 'lunch:open', 'lunch2:closed', 'class:open'],
      );
    } finally {
      await c.close();
    }
  });
});
