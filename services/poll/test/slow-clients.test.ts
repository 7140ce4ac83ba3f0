/**
 * Slow and idle clients over real HTTP: each is disconnected within the configured timeout
 * (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEP_ALIVE_TIMEOUT_MS, here set
 * short), answered 408 in the documented format when it is still listening, and nothing it
 * sent is written; voters on other connections are served meanwhile.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from './helpers.js';

const HEADERS_MS = 600;
const REQUEST_MS = 1200;
const KEEP_ALIVE_MS = 800;
/**
 * Node looks for expired requests on an interval (a quarter of the headers timeout here); the
 * rest is room for a busy 2-core machine running other tests at the same time.
 */
const SLACK_MS = 1000;

interface Ended {
  /** Milliseconds from connecting to the server closing the connection. */
  after: number;
  text: string;
}

/** Connects, lets `behave` write, and resolves when the server closes the connection. */
function client(port: number, behave: (socket: Socket) => void): Promise<Ended> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => behave(socket));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ after: Date.now() - started, text }));
  });
}

/** Writes `data` one byte every `everyMs`, until the socket closes. */
function drip(socket: Socket, data: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= data.length) clearInterval(timer);
    else socket.write(data[i++] as string);
  }, everyMs);
}

const TIMEOUT_ANSWER = /^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*x-content-type-options: nosniff\r\n[\s\S]*\r\n\r\n\{"error":\{"code":"REQUEST_TIMEOUT","message":"the request was not received in time"\}\}$/;

describe('poll and slow clients (real HTTP)', () => {
  let h: Harness;
  let port: number;
  before(async () => {
    h = await startHarness({
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    await h?.close();
  });

  it('cuts off a client that sends its headers byte by byte (slowloris) at the headers timeout, with 408', async () => {
    const ended = await client(port, (s) => drip(s, `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(500)}\r\n\r\n`, 20));
    assert.ok(ended.after >= HEADERS_MS - 50 && ended.after <= HEADERS_MS + SLACK_MS, `closed after ${ended.after} ms`);
    assert.match(ended.text, TIMEOUT_ANSWER);
  });

  it('closes a connection that sends nothing at the headers timeout', async () => {
    const ended = await client(port, () => undefined);
    assert.ok(ended.after >= HEADERS_MS - 50 && ended.after <= HEADERS_MS + SLACK_MS, `closed after ${ended.after} ms`);
  });

  it('cuts off a vote whose body trickles in at the request timeout, and writes nothing', async () => {
    const before = await h.streamLength();
    const body = '{"option":"a"}';
    const ended = await client(port, (s) => {
      s.write(`POST /api/polls/default/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      drip(s, body, 200);
    });
    assert.ok(ended.after >= REQUEST_MS - 50 && ended.after <= REQUEST_MS + SLACK_MS, `closed after ${ended.after} ms`);
    assert.doesNotMatch(ended.text, /^HTTP\/1\.1 202/, 'never accepted');
    assert.equal(await h.streamLength(), before);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const ended = await client(port, (s) => s.write('GET /api/polls HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.match(ended.text, /^HTTP\/1\.1 200 OK\r\n/);
    // Node keeps an idle connection up to a second past keepAliveTimeout (its own safety margin).
    assert.ok(ended.after >= KEEP_ALIVE_MS - 50 && ended.after <= KEEP_ALIVE_MS + 1000 + SLACK_MS, `closed after ${ended.after} ms`);
  });

  it('cuts off 200 slowloris connections at once while other voters are served', async () => {
    const attackers = Array.from({ length: 200 }, () => client(port, (s) => drip(s, `POST / HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(50)}`, 25)));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const vote = await fetch(`http://127.0.0.1:${port}/api/polls/default/votes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"option":"b"}',
    });
    assert.equal(vote.status, 202, 'a voter is served while the attack goes on');
    assert.ok(Date.now() - started < 1500, 'promptly');
    const ended = await Promise.all(attackers);
    const latest = Math.max(...ended.map((e) => e.after));
    // 200 clients writing a byte every 25 ms each load the event loop: a little more room.
    assert.ok(latest <= HEADERS_MS + 2 * SLACK_MS, `every attacker cut off at the headers timeout (latest after ${latest} ms)`);
    assert.ok(ended.every((e) => e.after >= HEADERS_MS - 50), 'none before it');
    assert.ok(ended.every((e) => TIMEOUT_ANSWER.test(e.text)), 'each was told 408');
  });
});
