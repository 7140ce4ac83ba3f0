import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { text } from '../src/read.js';

describe('text (user values in messages)', () => {
  it('writes scalars as String does', () => {
    assert.deepEqual([text('ClusterIP'), text(3), text(true), text(null), text(undefined)], ['ClusterIP', '3', 'true', 'null', 'undefined']);
  });

  it('writes mappings and lists as JSON, never [object Object]', () => {
    assert.equal(text({ claimName: 'data' }), '{"claimName":"data"}');
    assert.equal(text(['a', 1]), '["a",1]');
  });
});
