import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { SseClient } from '../../lib/sse-clients.js';

describe('SseClient', () => {
  it('counts result events, also when a frame is split across chunks', () => {
    const c = new SseClient(new Socket());
    c.onData('HTTP/1.1 200 OK\r\n\r\nretry: 2000\n\nevent: res');
    assert.equal(c.events, 0);
    c.onData('ults\ndata: {}\n\nevent: results\ndata: {}\n\n: keepalive\n\nevent: resu');
    assert.equal(c.events, 2);
    c.onData('lts\ndata: {}\n\n');
    assert.equal(c.events, 3);
  });
});
