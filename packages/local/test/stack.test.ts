import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeFlagsOf } from '../src/stack.js';

describe('nodeFlagsOf', () => {
  it("takes the Node flags of a service's start script", () => {
    assert.deepEqual(nodeFlagsOf('node dist/server.js'), []);
    assert.deepEqual(nodeFlagsOf('node --max-semi-space-size=1 dist/server.js'), ['--max-semi-space-size=1']);
    assert.deepEqual(nodeFlagsOf(' node --a --b=2  dist/server.js '), ['--a', '--b=2']);
  });

  it('ignores scripts of any other shape rather than guessing', () => {
    assert.deepEqual(nodeFlagsOf('tsx src/server.ts'), []);
    assert.deepEqual(nodeFlagsOf('node --a dist/server.js && rm -rf /'), []);
    assert.deepEqual(nodeFlagsOf('node -r x dist/server.js'), []);
  });
});
