import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PostgresServer } from '@bernstein/local';
import { pino } from 'pino';
import { Database, isConnectionError, loadConfig, postgresVars } from '@bernstein/common';

describe('Database', () => {
  let server: PostgresServer;
  let db: Database;

  before(async () => {
    server = await PostgresServer.start({ durable: false });
    db = new Database(loadConfig(postgresVars, server.env), pino({ level: 'silent' }), 'test');
    await db.query('CREATE TABLE t (id int PRIMARY KEY)');
  });
  after(async () => {
    await db?.close();
    await server?.stop();
  });

  it('commits a transaction on one client, and rolls back everything on error', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
      await tx.query('INSERT INTO t VALUES (2)');
    });
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (3)');
        await tx.query('INSERT INTO t VALUES (1)'); // duplicate key
      }),
      /duplicate key/,
    );
    const { rows } = await db.query<{ id: number }>('SELECT id FROM t ORDER BY id');
    assert.deepEqual(rows.map((r) => r.id), [1, 2]);
  });

  it('survives a server restart: ping fails while it is down, then works again', async () => {
    await server.stop();
    await assert.rejects(db.ping(), (err: unknown) => isConnectionError(err) || /timed out/.test(String(err)));
    await server.restart();
    await db.ping();
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM t');
    assert.equal(rows[0]?.n, '2');
  });

  it('tells connection failures from statement errors', () => {
    assert.ok(isConnectionError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })));
    assert.ok(isConnectionError(Object.assign(new Error('terminating connection'), { code: '57P01' })));
    assert.ok(!isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' })));
  });
});
