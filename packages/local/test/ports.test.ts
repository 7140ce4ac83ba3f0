import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { freePort, GiveUp, RedisServer, waitFor } from '@bernstein/local';

describe('freePort', () => {
  it('gives distinct ports that can be listened on, below the ephemeral range outgoing connections use', async () => {
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    assert.equal(new Set(ports).size, ports.length, `a port given twice: ${ports.join(' ')}`);
    for (const port of ports) assert.ok(port >= 20_000 && port < (ephemeralLow ?? 32_768), `${port} is outside 20000…${ephemeralLow}`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(ports[0], '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it('never gives a port another server listens on', async () => {
    // Hold 200 ports of the range that freePort never gave, then ask often enough that an
    // unchecked random pick would hit one of them (1 - (1 - 200/12768)^400: over 99 %).
    const held: Server[] = [];
    for (let port = 20_000; held.length < 200 && port < 21_000; port++) {
      const server = createServer();
      const listening = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (listening) held.push(server);
    }
    assert.equal(held.length, 200, 'could not hold 200 ports of 20000…21000');
    try {
      const busy = new Set(held.map((s) => (s.address() as { port: number }).port));
      for (let i = 0; i < 400; i++) {
        const port = await freePort();
        assert.ok(!busy.has(port), `${port} is held by a server`);
      }
    } finally {
      await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });
});

describe('waitFor', () => {
  it('retries until the attempt succeeds', async () => {
    let calls = 0;
    const value = await waitFor('thing', async () => {
      calls++;
      if (calls < 3) throw new Error('not yet');
      return 'up';
    }, 5000, 1);
    assert.equal(value, 'up');
    assert.equal(calls, 3);
  });

  it('stops at once when an attempt gives up, naming why', async () => {
    let calls = 0;
    await assert.rejects(
      waitFor('thing', async () => {
        calls++;
        throw new GiveUp('the process exited (code 9)');
      }, 60_000, 1),
      /^Error: thing: the process exited \(code 9\)$/,
    );
    assert.equal(calls, 1);
  });

  it('reports the last error when time runs out', async () => {
    await assert.rejects(waitFor('thing', async () => Promise.reject(new Error('refused')), 30, 5), /thing not ready after 30 ms: refused/);
  });
});

describe('RedisServer', () => {
  it('fails with "exited" (not a time-out) when redis-server cannot start', async () => {
    const first = await RedisServer.start();
    try {
      // Same port: the second server exits with "Address already in use".
      await assert.rejects(RedisServer.start({ port: first.port }), /redis-server exited; see .*redis\.log/);
    } finally {
      await first.stop();
    }
  });
});
