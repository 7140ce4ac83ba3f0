import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParser } from '../src/results-client.js';

describe('SseParser', () => {
  it('dispatches events split across chunks, skips comments, joins data lines', () => {
    const got: [string, string][] = [];
    const p = new SseParser((event, data) => got.push([event, data]));
    p.push(': keepalive\n\nevent: res');
    p.push('ults\r\ndata: {"total":1}\n\n');
    p.push('data: a\ndata: b\n\n');
    p.push('event: results\ndata: {"total":2}\n');
    assert.deepEqual(got, [['results', '{"total":1}'], ['message', 'a\nb']]);
    p.push('\n');
    assert.deepEqual(got.at(-1), ['results', '{"total":2}']);
  });
});
