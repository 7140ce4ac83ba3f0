import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMetricsRegistry } from '@bernstein/common';
import { createResultMetrics, type ResultMetrics } from '../src/metrics.js';
import { buildResults, snapshotOf } from '../src/results.js';
import { SseHub } from '../src/sse.js';
import { eventually, logger, SseReader, testPolls } from './helpers.js';

const snapshot = snapshotOf(buildResults(testPolls.defaultPoll, [], false));

describe('SseHub', () => {
  let server: Server;
  let hub: SseHub;
  let metrics: ResultMetrics;
  let url: string;

  before(async () => {
    metrics = createResultMetrics(createMetricsRegistry('result'));
    hub = new SseHub({ metrics, logger, keepaliveMs: 50, maxBufferBytes: 64 * 1024 });
    server = createServer((_req, res) => hub.subscribe('default', res, snapshot));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(async () => {
    await hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends keepalive comments from one shared timer', async () => {
    const reader = await SseReader.open(url);
    try {
      await eventually('a keepalive comment', () => (reader.comments.includes('keepalive') ? true : undefined));
      assert.equal(reader.results.length, 1, 'comments are not events');
    } finally {
      reader.close();
    }
  });

  it('drops a client that stops reading instead of buffering for it without bound', async () => {
    const good = await SseReader.open(url);
    const stalled = connect((server.address() as AddressInfo).port, '127.0.0.1');
    stalled.on('error', () => undefined);
    await new Promise<void>((r) => stalled.once('connect', () => r()));
    stalled.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    stalled.pause(); // reads nothing from now on
    await eventually('both clients', () => (hub.clients === 2 ? true : undefined));

    const big = snapshotOf({ ...snapshot.results, question: 'x'.repeat(1024 * 1024) });
    let published = 0;
    // Bounded: the kernel's socket buffers absorb a few MB, then the hub's limit applies.
    while (hub.clients === 2 && published < 200) {
      hub.publish('default', big);
      published++;
      await new Promise((r) => setTimeout(r, 5));
    }
    const dropped = (await metrics.sseClientsDropped.get()).values.find((v) => v.labels.reason === 'slow')?.value;
    assert.equal(dropped, 1, `the stalled client was dropped after ${published} big updates`);
    assert.equal(hub.clients, 1, 'the reading client stays');
    await eventually('the reading client to get every update', () => (good.results.length === 1 + published ? true : undefined), 30_000);
    good.close();
    stalled.destroy();
  });
});
