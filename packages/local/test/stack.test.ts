import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pg from 'pg';
import { PostgresServer } from '../src/postgres-server.js';
import { nodeFlagsOf, postgresDirFor } from '../src/stack.js';

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

describe('postgresDirFor', () => {
  const asRoot = process.getuid?.() === 0;

  it('keeps PostgreSQL inside the data directory when the server can reach it', () => {
    const open = mkdtempSync(join(tmpdir(), 'bernstein-open-'));
    chmodSync(open, 0o755);
    const home = mkdtempSync(join(tmpdir(), 'bernstein-pg-home-'));
    mkdirSync(join(open, '.bernstein'));
    try {
      assert.equal(postgresDirFor(join(open, '.bernstein'), home), join(open, '.bernstein', 'postgres'));
    } finally {
      rmSync(open, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('as root, moves PostgreSQL out of a private home and serves it from there', { skip: !asRoot && 'needs root' }, async () => {
    // A clone in root's home directory (mode 0700): the postgres user cannot enter it.
    const home = mkdtempSync(join(tmpdir(), 'bernstein-root-home-'));
    chmodSync(home, 0o700);
    const pgHome = mkdtempSync(join(tmpdir(), 'bernstein-pg-home-'));
    const dataDir = join(home, 'clone', '.bernstein');
    mkdirSync(dataDir, { recursive: true });
    try {
      const dir = postgresDirFor(dataDir, pgHome);
      assert.ok(dir.startsWith(`${pgHome}/clone-`), dir);
      assert.equal(postgresDirFor(dataDir, pgHome), dir, 'the same clone keeps the same directory');
      const server = await PostgresServer.start({ dir, durable: false });
      try {
        const client = new pg.Client(server.connection);
        await client.connect();
        const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
        await client.end();
        assert.deepEqual(rows, [{ one: 1 }]);
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
      rmSync(pgHome, { recursive: true, force: true });
    }
  });
});
