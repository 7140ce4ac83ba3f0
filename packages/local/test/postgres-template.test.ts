/**
 * The template cluster that every private PostgreSQL is copied from lives in the shared
 * temporary directory, so runs of different users meet there. A user's runs must never use
 * (or fail on) a template someone else owns.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { postgresBinDir } from '../src/binaries.js';
import { PostgresServer, sharedTemplateDir } from '../src/postgres-server.js';

const asRoot = userInfo().uid === 0;

describe('the PostgreSQL template cluster', { skip: asRoot ? false : 'needs root to make a directory another user owns' }, () => {
  const realTmp = process.env.TMPDIR;
  let scratch = '';
  before(() => {
    // A temporary directory of our own, so the planted template disturbs no other test.
    scratch = mkdtempSync(join(tmpdir(), 'bernstein-template-test-'));
    execFileSync('chmod', ['1777', scratch]);
    process.env.TMPDIR = scratch;
  });
  after(() => {
    if (realTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = realTmp;
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is named for the user that owns it, and one under that name owned by another user is not used', async () => {
    const binDir = postgresBinDir();
    const shared = sharedTemplateDir(binDir);
    assert.ok(shared.startsWith(scratch), `${shared} is in the temporary directory`);
    assert.match(shared, /bernstein-pg-template-uid\d+-/, 'the owner uid is in the name');
    // Planted: looks like a template, owned by nobody, holding no usable cluster.
    mkdirSync(join(shared, 'data'), { recursive: true });
    writeFileSync(join(shared, 'data', 'PG_VERSION'), '15\n');
    execFileSync('chown', ['-R', 'nobody', shared]);

    const server = await PostgresServer.start({ durable: false });
    const client = new pg.Client({ ...server.connection, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      assert.match(rows[0]?.server_version ?? '', /^\d+\.\d+/, 'the server answers');
    } finally {
      await client.end().catch(() => undefined);
      await server.stop();
    }
  });
});
