import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { run, sourceAddress } from '../lib/vote-generator.js';

/** A server that answers like poll (Content-Length) or like a bare node:http one (chunked). */
async function server(chunked: boolean, seen: Set<string>): Promise<Server> {
  const s = createServer((req, res) => {
    seen.add(req.socket.remoteAddress ?? '');
    req.resume();
    req.on('end', () => {
      const body = '{"receipt":"1-0"}';
      if (chunked) res.writeHead(202, { 'content-type': 'application/json' }).end(body);
      else res.writeHead(req.url === '/refuse' ? 429 : 202, { 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return s;
}

const options = (s: Server, path = '/v') => ({
  host: '127.0.0.1',
  port: (s.address() as AddressInfo).port,
  path,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"option":"a"}',
  connections: 5,
  durationS: 0.3,
  sourceAddressPerConnection: true,
});

describe('the poll benchmark vote generator', () => {
  it('gives every connection its own source address, never 127.0.0.1', async () => {
    assert.deepEqual([0, 1, 254, 255].map(sourceAddress), ['127.1.0.1', '127.1.0.2', '127.1.0.255', '127.1.1.0']);
    const seen = new Set<string>();
    const s = await server(false, seen);
    try {
      const r = await run(options(s));
      assert.equal(r.errors, 0, 'no connection failed');
      assert.ok(r.ok > 5, `more than one answer per connection (${r.ok})`);
      assert.deepEqual([...seen].sort(), ['127.1.0.1', '127.1.0.2', '127.1.0.3', '127.1.0.4', '127.1.0.5']);
      assert.ok(r.latencyMs.p50 > 0 && r.latencyMs.p50 <= r.latencyMs.p99 && r.latencyMs.p99 <= r.latencyMs.max, 'ordered percentiles');
    } finally {
      s.close();
    }
  });

  it('reads chunked answers (the bare server) as well as Content-Length ones, and counts non-2xx apart', async () => {
    const chunked = await server(true, new Set());
    const plain = await server(false, new Set());
    try {
      const c = await run(options(chunked));
      assert.equal(c.errors, 0, 'chunked answers delimited');
      assert.ok(c.ok > 5, `chunked answers counted (${c.ok})`);
      const refused = await run(options(plain, '/refuse'));
      assert.equal(refused.ok, 0, 'a 429 is not a vote');
      assert.ok(refused.non2xx > 5, `429s counted as non-2xx (${refused.non2xx})`);
    } finally {
      chunked.close();
      plain.close();
    }
  });
});
