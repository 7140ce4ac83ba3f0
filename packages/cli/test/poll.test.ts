import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { POLL_USAGE, run, runPoll } from '@bernstein/cli';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

/** A stand-in admin API over real HTTP that records what it was sent. */
describe('bernstein poll', () => {
  let server: Server;
  let url: string;
  const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
        res.setHeader('content-type', 'application/json');
        if (req.headers.authorization !== undefined && req.headers.authorization !== 'Bearer right-token') {
          res.statusCode = 401;
          res.end(JSON.stringify({ error: { code: 'ADMIN_UNAUTHORIZED', message: 'this needs the admin token' } }));
        } else if (req.url === '/api/polls' && req.method === 'POST') {
          res.statusCode = 201;
          res.end(JSON.stringify({ id: 'abc', access: (JSON.parse(body) as { access?: string }).access, status: 'open' }));
        } else if (req.url === '/api/polls') {
          res.end(JSON.stringify({ polls: [{ id: 'default', status: 'open', access: 'open', managedBy: 'configuration', question: 'Which?' }] }));
        } else if (req.url === '/api/polls/abc/codes') {
          res.statusCode = 201;
          res.end(JSON.stringify({ poll: 'abc', codes: ['AAAAAAAAAA', 'BBBBBBBBBB'] }));
        } else {
          res.statusCode = 404;
          res.end(JSON.stringify({ error: { code: 'POLL_NOT_FOUND', message: 'there is no poll with id "x"' } }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  it('is a subcommand of bernstein with its own help', async () => {
    const c = capture();
    assert.equal(await run(['poll', '--help'], c.io), 0);
    assert.equal(c.out.join(''), `${POLL_USAGE}\n`);
  });

  it('exits 2 on usage errors, naming them', async () => {
    for (const [args, message] of [
      [[], /which command\?/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['create', 'Only one answer?', 'Yes', '--token', 't', '--url', 'http://127.0.0.1:1'], /at least two answers/],
      [['codes', 'abc', 'many', '--token', 't'], /a poll id and a count/],
      [['close', '--token', 't'], /exactly one poll id/],
      [['list', '--nope'], /Unknown option '--nope'/],
    ] as const) {
      const c = capture();
      assert.equal(await runPoll([...args], c.io), 2, args.join(' '));
      assert.match(c.err.join(''), message);
    }
  });

  it('exits 2 without a token for an admin command', async () => {
    const saved = process.env.ADMIN_TOKEN;
    delete process.env.ADMIN_TOKEN;
    const c = capture();
    try {
      assert.equal(await runPoll(['close', 'abc', '--url', url], c.io), 2);
    } finally {
      if (saved !== undefined) process.env.ADMIN_TOKEN = saved;
    }
    assert.match(c.err.join(''), /no admin token: pass --token or set ADMIN_TOKEN/);
  });

  it('sends the definition with the bearer token and prints the join address', async () => {
    const c = capture();
    assert.equal(await runPoll(['create', 'Lunch?', 'Pizza', 'Soup', '--codes', '--closes-at', '2030-01-01T12:00:00Z', '--url', url, '--token', 'right-token'], c.io), 0);
    assert.equal(c.out.join(''), `created poll abc (access codes): ${url}/polls/abc\n`);
    const sent = seen.at(-1);
    assert.equal(sent?.auth, 'Bearer right-token');
    assert.deepEqual(JSON.parse(sent?.body ?? ''), {
      question: 'Lunch?',
      options: [{ label: 'Pizza' }, { label: 'Soup' }],
      closesAt: '2030-01-01T12:00:00Z',
      access: 'codes',
    });
  });

  it('lists without a token, prints codes as CSV, exits 1 with the service\'s message on a refusal', async () => {
    const list = capture();
    assert.equal(await runPoll(['list', '--url', url], list.io), 0);
    assert.equal(list.out.join(''), 'default\topen\topen\tconfiguration\tWhich?\n');
    assert.equal(seen.at(-1)?.auth, undefined, 'list sends no token');
    const codes = capture();
    assert.equal(await runPoll(['codes', 'abc', '2', '--url', url, '--token', 'right-token'], codes.io), 0);
    assert.equal(codes.out.join(''), 'code\nAAAAAAAAAA\nBBBBBBBBBB\n');
    const wrong = capture();
    assert.equal(await runPoll(['close', 'abc', '--url', url, '--token', 'wrong'], wrong.io), 1);
    assert.equal(wrong.err.join(''), 'bernstein poll: 401 ADMIN_UNAUTHORIZED: this needs the admin token\n');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const away = capture();
    assert.equal(await runPoll(['list', '--url', `http://127.0.0.1:${port}`], away.io), 1);
    assert.equal(away.err.join(''), `bernstein poll: cannot reach the poll service at http://127.0.0.1:${port} (ECONNREFUSED)\n`);
  });
});
