/**
 * The poll lifecycle across real processes (two poll replicas, a worker, result, Redis and
 * PostgreSQL from packages/local): a poll created through one poll replica is votable on the
 * other and known to result within 1 s; a close under load is exact (every acknowledged vote
 * counts, none after the close); the CSV export matches; the CLI drives the admin API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runPoll } from '@bernstein/cli';
import { waitFor } from '@bernstein/local';
import { startStack, type TestStack } from './helpers.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';
const ADMIN = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

async function createPoll(pollUrl: string, body: unknown): Promise<Response> {
  return fetch(`${pollUrl}/api/polls`, { method: 'POST', headers: ADMIN, body: JSON.stringify(body) });
}

async function vote(pollUrl: string, poll: string, option: string): Promise<{ status: number; receipt?: string; code?: string }> {
  const res = await fetch(`${pollUrl}/api/polls/${poll}/votes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ option }),
  });
  const body = (await res.json()) as { receipt?: string; error?: { code: string } };
  return { status: res.status, ...(body.receipt ? { receipt: body.receipt } : {}), ...(body.error ? { code: body.error.code } : {}) };
}

async function results(resultUrl: string, poll: string) {
  const res = await fetch(`${resultUrl}/api/polls/${poll}/results`);
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as { status: string; total: number; options: { id: string; votes: number }[] }) : undefined };
}

describe('poll lifecycle across processes', () => {
  let t: TestStack;
  let polls: string[];
  let resultUrl: string;

  before(async () => {
    t = await startStack({ polls: 2, env: { PATH: process.env.PATH, NODE_OPTIONS: process.env.NODE_OPTIONS, LOG_LEVEL: 'warn', ADMIN_TOKEN: TOKEN } });
    polls = t.stack.pollUrls;
    resultUrl = t.stack.resultUrl;
    assert.equal(polls.length, 2);
  });

  after(async () => {
    await t?.close();
  });

  it('creates a poll on one replica: votable on the other and known to result within 1 s', async () => {
    const res = await createPoll(polls[0] as string, { id: 'talk', question: 'Best talk?', options: [{ label: 'Keynote' }, { label: 'Workshop' }] });
    assert.equal(res.status, 201, await res.clone().text());
    const created = Date.now();
    await waitFor('poll replica 2', async () => assert.equal((await vote(polls[1] as string, 'talk', 'a')).status, 202), 1000, 10);
    await waitFor('result', async () => assert.equal((await results(resultUrl, 'talk')).status, 200), 1000, 10);
    assert.ok(Date.now() - created < 1000, `${Date.now() - created} ms`);
    await waitFor('the vote in result', async () => assert.equal((await results(resultUrl, 'talk')).body?.total, 1), 5000, 20);
  });

  it('closes exactly under load on two poll replicas', async () => {
    assert.equal((await createPoll(polls[0] as string, { id: 'race', question: 'Race?', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }] })).status, 201);
    await waitFor('both replicas', async () => {
      for (const url of polls) assert.equal((await fetch(`${url}/api/polls/race`)).status, 200);
    });
    const acknowledged: Record<string, number> = {};
    let acks = 0;
    let refusedAfterClose = 0;
    let closedAt = 0;
    let lateAcks = 0;
    let stop = false;
    const options = ['a', 'b', 'c'];
    async function voter(n: number): Promise<void> {
      for (let i = 0; !stop; i++) {
        const sent = Date.now();
        const option = options[(n + i) % 3] as string;
        const r = await vote(polls[(n + i) % 2] as string, 'race', option);
        if (r.status === 202) {
          acks++;
          acknowledged[option] = (acknowledged[option] ?? 0) + 1;
          // A vote sent after the close was answered must never be acknowledged.
          if (closedAt !== 0 && sent > closedAt) lateAcks++;
        } else {
          assert.equal(r.status, 409, JSON.stringify(r));
          assert.equal(r.code, 'POLL_CLOSED');
          refusedAfterClose++;
        }
      }
    }
    const voters = Array.from({ length: 24 }, (_, n) => voter(n));
    // Under load before the close: enough acknowledged votes, however busy the machine is.
    const loadStarted = Date.now();
    while (acks < 300 && Date.now() - loadStarted < 10_000) await new Promise((r) => setTimeout(r, 50));
    const close = await fetch(`${polls[1]}/api/polls/race/close`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    closedAt = Date.now();
    assert.equal(close.status, 200);
    assert.deepEqual(((await close.json()) as { id: string; status: string }).status, 'closed');
    await new Promise((r) => setTimeout(r, 700));
    stop = true;
    await Promise.all(voters);
    assert.ok(acks >= 100, `load: ${acks} acknowledged`);
    assert.ok(refusedAfterClose > 20, `${refusedAfterClose} refused after the close`);
    assert.equal(lateAcks, 0, 'no vote sent after the close was acknowledged');
    // Every acknowledged vote (a new voter each) counts; nothing else does.
    await waitFor(
      'result to count every acknowledged vote and show the poll closed',
      async () => {
        const r = await results(resultUrl, 'race');
        assert.equal(r.body?.status, 'closed');
        assert.equal(r.body?.total, acks);
        for (const o of r.body?.options ?? []) assert.equal(o.votes, acknowledged[o.id] ?? 0, o.id);
      },
      10_000,
      100,
    );
    const csv = await fetch(`${resultUrl}/api/polls/race/results.csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(
      await csv.text(),
      `option,label,votes\r\n${options.map((o) => `${o},${o.toUpperCase()},${acknowledged[o] ?? 0}`).join('\r\n')}\r\n`,
    );
  });

  it('the CLI creates, lists, generates codes for and closes a poll', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) };
    const base = ['--url', polls[0] as string, '--token', TOKEN];
    assert.equal(await runPoll(['create', 'Room?', 'Left', 'Right', '--id', 'room', '--codes', ...base], io), 0, err.join(''));
    assert.match(out.join(''), /^created poll room \(access codes\): http:\/\/127\.0\.0\.1:\d+\/polls\/room\n$/);
    out.length = 0;
    assert.equal(await runPoll(['codes', 'room', '3', ...base], io), 0, err.join(''));
    assert.match(out.join(''), /^code\n[A-Z2-9]{10}\n[A-Z2-9]{10}\n[A-Z2-9]{10}\n$/);
    out.length = 0;
    assert.equal(await runPoll(['list', '--url', polls[1] as string], io), 0);
    assert.match(out.join(''), /^room\topen\tcodes\tapi\tRoom\?$/m);
    assert.equal(await runPoll(['close', 'room', ...base], io), 0);
    assert.equal(await runPoll(['close', 'default', ...base], io), 1, 'a configured poll is not closable');
    assert.match(err.join(''), /409 POLL_MANAGED_BY_CONFIGURATION: poll "default" is defined by configuration/);
    err.length = 0;
    assert.equal(await runPoll(['close', 'room', '--url', polls[0] as string, '--token', 'wrong-token-wrong-token-wrong'], io), 1);
    assert.match(err.join(''), /401 ADMIN_UNAUTHORIZED/);
    await waitFor('result to show it closed', async () => assert.equal((await results(resultUrl, 'room')).body?.status, 'closed'), 1000, 20);
  });
});
