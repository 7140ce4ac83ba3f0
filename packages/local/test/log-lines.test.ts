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

  it("renders time, name, level, message, extra fields and a warning's error message on a terminal", () => {
    const out = strip(formatLine('poll', line, { pretty: true, width: 8 }));
    assert.equal(out, '03:04:05 poll     WARN  redis unavailable port=6390 ECONNREFUSED');
  });

  it('shows the stack of an error only at ERROR and above', () => {
    const error = JSON.stringify({ ...JSON.parse(line), level: 50 });
    assert.equal(strip(formatLine('poll', error, { pretty: true, width: 8 })), '03:04:05 poll     ERROR redis unavailable port=6390\nError: ECONNREFUSED\n    at x');
  });

  it('elides objects too long to read at a glance, and keeps short ones', () => {
    const config = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`VARIABLE_${i}`, i]));
    const started = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5), msg: 'starting', config, batch: { size: 500 } });
    assert.equal(strip(formatLine('worker', started, { pretty: true, width: 8 })), '03:04:05 worker   INFO  starting config={…} batch={"size":500}');
  });

  it('passes lines that are not JSON objects through', () => {
    assert.equal(strip(formatLine('worker', '(node:1) Warning: something', { pretty: true, width: 8 })), 'worker   | (node:1) Warning: something');
    assert.equal(strip(formatLine('worker', '[1,2]', { pretty: true, width: 8 })), 'worker   | [1,2]');
  });
});
