import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { area, summarize } from '../../report/profile.js';

describe('summarize', () => {
  it('adds self time per function and per code area from samples and time deltas', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
        { id: 2, callFrame: { functionName: 'sign', url: 'file:///x/services/poll/dist/voter-cookie.js', lineNumber: 9 } },
        { id: 3, callFrame: { functionName: 'parse', url: 'file:///x/node_modules/fastify/lib/route.js', lineNumber: 0 } },
        { id: 4, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
      ],
      samples: [2, 2, 3, 4, 2],
      timeDeltas: [100, 100, 50, 25, 100],
    };
    const s = summarize(profile);
    assert.equal(s.total, 375);
    assert.deepEqual(s.frames[0], ['sign services/poll/dist/voter-cookie.js:10', 300]);
    assert.deepEqual(Object.fromEntries(s.areas), { 'services/poll': 300, fastify: 50, '(garbage collector)': 25 });
  });
});

describe('area', () => {
  it('names scoped packages, our workspaces and Node internals', () => {
    assert.equal(area('file:///r/node_modules/@fastify/ajv-compiler/index.js', 'f'), '@fastify/ajv-compiler');
    assert.equal(area('file:///r/packages/common/dist/redis.js', 'f'), 'packages/common');
    assert.equal(area('node:internal/streams/writable', 'f'), 'node internals');
    assert.equal(area('', '(idle)'), '(idle)');
  });
});
