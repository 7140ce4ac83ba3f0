import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLine } from '../src/log-lines.js';

const ESC = String.fromCharCode(27);
const strip = (s: string) => s.split(ESC).map((part, i) => (i === 0 ? part : part.replace(/^\[\d+m/, ''))).join('');

describe('formatLine', () => {
  const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5), pid: 1, service: 'poll', msg: 'redis unavailable', port: 6390, err: { message: 'ECONNREFUSED', stack: 'Error: ECONNREFUSED\n    at x' } });

  it('keeps JSON intact behind the name when not on a terminal', () => {
    assert.equal(formatLine('poll', line, { pretty: false, width: 8 }), `poll     | ${line}`);
  });

  it('renders time, name, level, message, extra fields and the error stack on a terminal', () => {
    const out = strip(formatLine('poll', line, { pretty: true, width: 8 }));
    assert.equal(out, '03:04:05 poll     WARN  redis unavailable port=6390\nError: ECONNREFUSED\n    at x');
  });

  it('passes lines that are not JSON objects through', () => {
    assert.equal(strip(formatLine('worker', '(node:1) Warning: something', { pretty: true, width: 8 })), 'worker   | (node:1) Warning: something');
    assert.equal(strip(formatLine('worker', '[1,2]', { pretty: true, width: 8 })), 'worker   | [1,2]');
  });
});
