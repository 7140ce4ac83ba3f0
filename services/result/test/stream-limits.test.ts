/**
 * result's event streams under load and abuse, over real HTTP:
 * - the caps: beyond SSE_MAX_STREAMS_PER_CLIENT streams from one client address, or
 *   SSE_MAX_STREAMS in the process, the answer is 503 TOO_MANY_STREAMS with Retry-After in
 *   the documented format, and a stream that closes frees its place;
 * - the memory: the real, built server process holds the default cap of streams, from many
 *   client addresses, with its RSS under 90 % of result's Kubernetes memory limit (128 MiB);
 * - the timeouts: an open stream outlives the request timeout many times over, while a client
 *   that sends its headers byte by byte is cut off.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resultServiceSpec } from '@bernstein/common';
import { freePort } from '@bernstein/local';
import { castVote, eventually, SseReader, startDatabase, startResult, untilReady, voterId, type ResultInstance, type TestDatabase } from './helpers.js';

/** result's memory limit in deploy/kubernetes/base (resources.limits.memory: 128Mi). */
const MEMORY_LIMIT_BYTES = 128 * 1024 * 1024;

interface OpenStream {
  req: ClientRequest;
  res: IncomingMessage;
}

/** Opens an event stream from `localAddress` (any of 127/8 is this machine on Linux). */
function openStream(
  url: string,
  localAddress = '127.0.0.1',
  headers: Record<string, string> = { accept: 'text/event-stream' },
): Promise<OpenStream | { status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, agent: false, headers });
    req.on('error', reject);
    req.on('response', (res) => {
      if (res.statusCode === 200) {
        res.resume();
        resolve({ req, res });
        return;
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.end();
  });
}

function isOpen(s: Awaited<ReturnType<typeof openStream>>): s is OpenStream {
  return 'req' in s;
}

function assertRefused(s: Awaited<ReturnType<typeof openStream>>, pattern: RegExp): void {
  assert.ok(!isOpen(s), 'refused');
  assert.equal(s.status, 503);
  assert.equal(s.headers['retry-after'], '5');
  assert.match(String(s.headers['content-type']), /^application\/json/);
  const body = JSON.parse(s.body) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  assert.equal(body.error.code, 'TOO_MANY_STREAMS');
  assert.match(body.error.message, pattern);
}

describe('event-stream caps (real HTTP, in process)', () => {
  let database: TestDatabase;
  let result: ResultInstance;
  const streams: OpenStream[] = [];
  before(async () => {
    database = await startDatabase();
    result = await startResult(database, { app: { sse: { maxClients: 6, maxClientsPerAddress: 3 } } });
    await result.store.reloadAll();
  });
  after(async () => {
    for (const s of streams) s.req.destroy();
    await result?.close();
    await database?.close();
  });

  it('refuses a 4th stream from one address and a 7th in total, with 503 and Retry-After; a closed stream frees its place', async () => {
    const url = `${result.url}/api/polls/default/events`;
    for (let i = 0; i < 3; i++) {
      const s = await openStream(url, '127.0.0.2');
      assert.ok(isOpen(s));
      streams.push(s);
    }
    assertRefused(await openStream(url, '127.0.0.2'), /your address has the maximum of 3 open event streams/);
    for (let i = 0; i < 3; i++) {
      const s = await openStream(url, '127.0.0.3');
      assert.ok(isOpen(s), 'another address still gets its own');
      streams.push(s);
    }
    assertRefused(await openStream(url, '127.0.0.4'), /this server has its maximum of 6 open event streams/);
    assert.equal(result.app.sseHub.clients, 6);
    assert.match(await (await fetch(`${result.opsUrl}/metrics`)).text(), /^result_sse_clients_refused_total\{service="result"\} 2$/m);

    streams.shift()?.req.destroy();
    await eventually('the closed stream to be gone', () => (result.app.sseHub.clients === 5 ? true : undefined));
    const again = await openStream(url, '127.0.0.2');
    assert.ok(isOpen(again), 'a place was freed');
    streams.push(again);
  });
});

describe('event-stream caps behind a trusted proxy (real HTTP, in process)', () => {
  let database: TestDatabase;
  let result: ResultInstance;
  const streams: OpenStream[] = [];
  before(async () => {
    database = await startDatabase();
    // As server.ts passes TRUSTED_PROXIES=127.0.0.2: that peer's X-Forwarded-For is believed.
    result = await startResult(database, { app: { trustProxy: (addr: string) => addr === '127.0.0.2', sse: { maxClients: 100, maxClientsPerAddress: 2 } } });
    await result.store.reloadAll();
  });
  after(async () => {
    for (const s of streams) s.req.destroy();
    await result?.close();
    await database?.close();
  });

  async function openFrom(localAddress: string, forwardedFor: string) {
    const s = await openStream(`${result.url}/api/polls/default/events`, localAddress, { 'x-forwarded-for': forwardedFor });
    if (isOpen(s)) streams.push(s);
    return s;
  }

  it("counts streams by the client a trusted proxy names, and ignores anyone else's X-Forwarded-For", async () => {
    // Through the proxy: three clients, two streams each, all accepted.
    for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      for (let i = 0; i < 2; i++) assert.ok(isOpen(await openFrom('127.0.0.2', client)), `${client} stream ${i + 1}`);
    }
    assertRefused(await openFrom('127.0.0.2', '203.0.113.1'), /your address has the maximum of 2/);
    // Not a trusted proxy: a forged X-Forwarded-For buys no new budget.
    assert.ok(isOpen(await openFrom('127.0.0.5', '198.51.100.1')));
    assert.ok(isOpen(await openFrom('127.0.0.5', '198.51.100.2')));
    assertRefused(await openFrom('127.0.0.5', '198.51.100.3'), /your address has the maximum of 2/);
  });
});

describe('event streams and timeouts (real HTTP, in process)', () => {
  let database: TestDatabase;
  let result: ResultInstance;
  before(async () => {
    database = await startDatabase();
    result = await startResult(database, {
      app: { timeouts: { headersTimeoutMs: 500, requestTimeoutMs: 800, keepAliveTimeoutMs: 1000 }, sse: { keepaliveMs: 300 } },
    });
    await result.store.reloadAll();
  });
  after(async () => {
    await result?.close();
    await database?.close();
  });

  it('keeps a stream open far past the request timeout, still delivering updates', async () => {
    const reader = await SseReader.open(`${result.url}/api/polls/default/events`);
    try {
      await reader.waitFor(() => true);
      await new Promise((r) => setTimeout(r, 3000)); // almost 4 request timeouts
      assert.equal(reader.ended, false, 'the stream is still open');
      assert.ok(reader.comments.filter((c) => c === 'keepalive').length >= 5, 'keepalives kept flowing');
      await castVote(database.db, 'default', voterId(1), 'c');
      await reader.waitFor((r) => r.total === 1);
    } finally {
      reader.close();
    }
  });

  it('cuts off a client that sends its headers byte by byte, with 408 REQUEST_TIMEOUT', async () => {
    const port = Number(new URL(result.url).port);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      const line = 'GET /api/polls/default/events HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(1000);
      let i = 0;
      const drip = setInterval(() => {
        if (socket.writable && i < line.length) socket.write(line[i++] as string);
      }, 50);
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(text);
      });
    });
    const took = Date.now() - started;
    assert.ok(took >= 450 && took < 2500, `closed after ${took} ms (headers timeout 500 ms; room for a busy machine)`);
    assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(answer, /\{"error":\{"code":"REQUEST_TIMEOUT","message":"the request was not received in time"\}\}$/);
  });
});

/**
 * The built server, as the image runs it: its memory is what counts against the limit (the
 * TypeScript loader of a from-source run adds some 25 MiB of its own). Built first when the
 * build is missing or older than the sources (`npm test` builds before it tests).
 */
function builtServer(): string {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const dist = join(root, 'services/result/dist/server.js');
  const newest = (dir: string): number =>
    Math.max(...readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => statSync(join(e.parentPath, e.name)).mtimeMs));
  const sources = Math.max(newest(join(root, 'services/result/src')), newest(join(root, 'packages/common/src')));
  if (!existsSync(dist) || statSync(dist).mtimeMs < sources || !existsSync(join(root, 'packages/common/dist/index.js'))) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--build', join(root, 'services/result/tsconfig.build.json')], { stdio: 'inherit' });
  }
  return dist;
}

describe('memory at the default cap (real server process)', () => {
  let database: TestDatabase;
  before(async () => {
    database = await startDatabase();
  });
  after(async () => {
    await database?.close();
  });

  it(`holds the default cap of ${resultServiceSpec.sseMaxStreams.default} streams under 128 MiB of RSS, and refuses the next one`, async () => {
    const cap = Number(resultServiceSpec.sseMaxStreams.default);
    const perClient = Number(resultServiceSpec.sseMaxStreamsPerClient.default);
    const port = await freePort();
    const opsPort = await freePort();
    // Started as the image starts it: the built server with package.json's start flags.
    const startScript = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const flags = startScript.split(/\s+/).filter((a) => a.startsWith('--'));
    const child = spawn(process.execPath, [...flags, builtServer()], {
      env: {
        PATH: process.env.PATH ?? '',
        ...database.server.env,
        HOST: '0.0.0.0',
        PORT: String(port),
        OPS_PORT: String(opsPort),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const streams: OpenStream[] = [];
    try {
      await untilReady(opsPort);
      const url = `http://127.0.0.1:${port}/api/polls/default/events`;
      // From as many addresses as the per-client cap needs, like a crowd behind a few NATs.
      const addresses = Math.ceil(cap / perClient);
      for (let i = 0; i < cap; i += 100) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(100, cap - i) }, (_, j) => openStream(url, `127.0.1.${((i + j) % addresses) + 1}`)),
        );
        for (const s of batch) {
          assert.ok(isOpen(s), `stream ${streams.length + 1} of ${cap} opened`);
          streams.push(s);
        }
      }
      assertRefused(await openStream(url, '127.0.2.1'), new RegExp(`maximum of ${cap} open event streams`));
      // An update to every stream, then the memory of the process as the kernel counts it.
      await castVote(database.db, 'default', voterId(1), 'a');
      await new Promise((r) => setTimeout(r, 1500));
      const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024;
      const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
      assert.match(metrics, new RegExp(`^result_sse_clients\\{service="result"\\} ${cap}$`, 'm'));
      process.stderr.write(`# result RSS with ${cap} streams: ${(rss / 1048576).toFixed(1)} MiB\n`);
      assert.ok(rss < MEMORY_LIMIT_BYTES * 0.9, `RSS ${(rss / 1048576).toFixed(1)} MiB stays under 90 % of 128 MiB`);
    } finally {
      for (const s of streams) s.req.destroy();
      child.kill('SIGKILL');
    }
  });
});
