import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { adminToken } from '../src/stack.js';

describe('the local run\'s admin token', () => {
  it('is made once, kept in the data directory with mode 0600, and the same on the next start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bernstein-admin-'));
    try {
      const first = adminToken(dir);
      assert.equal(first.file, join(dir, 'admin-token'));
      assert.match(first.token, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
      assert.equal(statSync(first.file).mode & 0o777, 0o600);
      assert.deepEqual(adminToken(dir), first, 'kept across starts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
