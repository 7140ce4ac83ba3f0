/** PostgreSQL roles on a real server: each may do its job and nothing else; the migrate step sets them up. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { PostgresServer, postgresBinDir, type PostgresLogin } from '@bernstein/local';
import { Database, excessPrivileges, loadConfig, postgresVars, ROLE_TABLE_PRIVILEGES, scramVerifier, setUpDatabase, warnOnExcessPrivileges } from '@bernstein/common';

const silent = pino({ level: 'silent' });
const DENIED = /^permission denied for (table|schema|sequence) \w+$/;
const NOT_OWNER = /^must be owner of (table|relation) \w+$/;

/** Statements that would forge results. */
const FORGE_TALLY = "INSERT INTO tallies (poll, option, votes) VALUES ('p1', 'z', 5)";
const INFLATE_TALLIES = 'UPDATE tallies SET votes = votes + 1000000';

const UPSERT = `
  INSERT INTO votes (poll, voter, option, stream_ms, stream_seq, voted_at)
  SELECT p, v, o, ms, 0, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(p, v, o, ms)
  ON CONFLICT (poll, voter) DO UPDATE SET option = excluded.option, stream_ms = excluded.stream_ms, stream_seq = excluded.stream_seq
  WHERE (excluded.stream_ms, excluded.stream_seq) > (votes.stream_ms, votes.stream_seq)`;

describe('PostgreSQL roles', () => {
  let server: PostgresServer;
  const clients: pg.Client[] = [];

  async function as(login: PostgresLogin): Promise<pg.Client> {
    const e = server.envFor(login);
    const client = new pg.Client({ host: e.POSTGRES_HOST, port: Number(e.POSTGRES_PORT), user: e.POSTGRES_USER, password: e.POSTGRES_PASSWORD, database: e.POSTGRES_DB });
    await client.connect();
    clients.push(client);
    return client;
  }

  /** Each statement, run on its own, is refused with an error matching `pattern`. */
  async function refused(client: pg.Client, pattern: RegExp, ...statements: string[]): Promise<void> {
    for (const sql of statements) {
      await assert.rejects(client.query(sql), (err: Error) => {
        assert.match(err.message, pattern, sql);
        return true;
      });
    }
  }

  before(async () => {
    server = await PostgresServer.start({ durable: false, roles: true });
  });
  after(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await server?.stop();
  });

  it('makes no role but the admin a superuser, and gives none any other attribute', async () => {
    const admin = await as('admin');
    const { rows } = await admin.query<{ rolname: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>(
      "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname IN ('bernstein', 'worker', 'result', 'backup') ORDER BY rolname",
    );
    assert.deepEqual(rows, ['backup', 'bernstein', 'result', 'worker'].map((rolname) => ({ rolname, rolsuper: false, rolcreaterole: false, rolcreatedb: false })));
  });

  it('lets the worker write votes, and the tallies follow through the trigger', async () => {
    const worker = await as('worker');
    await worker.query(UPSERT, [['p1', 'p1'], ['v1', 'v2'], ['a', 'b'], [10, 11]]);
    await worker.query(UPSERT, [['p1'], ['v1'], ['b'], [12]]);
    const { rows } = await (await as('owner')).query<{ option: string; votes: string }>("SELECT option, votes::text FROM tallies WHERE poll = 'p1' ORDER BY option");
    assert.deepEqual(rows, [{ option: 'a', votes: '0' }, { option: 'b', votes: '2' }]);
  });

  it("refuses the worker anything else: DELETE, tallies, DROP, ALTER, CREATE", async () => {
    const worker = await as('worker');
    await refused(worker, DENIED, 'DELETE FROM votes', 'TRUNCATE votes', INFLATE_TALLIES, FORGE_TALLY, 'CREATE TABLE mine (x int)');
    await refused(worker, NOT_OWNER, 'DROP TABLE votes', 'ALTER TABLE votes ADD COLUMN x int', 'ALTER TABLE tallies DISABLE TRIGGER ALL');
    await refused(worker, /^permission denied for function tallies_apply_delta$/, 'SELECT tallies_apply_delta()');
  });

  it('lets result read tallies and LISTEN, and refuses INSERT, UPDATE, DELETE and the votes', async () => {
    const result = await as('result');
    const { rows } = await result.query<{ n: string }>("SELECT count(*)::text AS n FROM tallies WHERE poll = 'p1'");
    assert.equal(rows[0]?.n, '2');
    await result.query('LISTEN bernstein_tallies');
    await refused(
      result,
      DENIED,
      FORGE_TALLY,
      INFLATE_TALLIES,
      'DELETE FROM tallies',
      "INSERT INTO votes (poll, voter, option, stream_ms, stream_seq, voted_at) VALUES ('p1', 'x', 'a', 1, 0, now())",
      'SELECT * FROM votes',
    );
    await refused(result, NOT_OWNER, 'DROP TABLE tallies');
  });

  it('lets backup dump the database with pg_dump, and refuses it any write', async () => {
    const e = server.envFor('backup');
    const dump = execFileSync(join(postgresBinDir(), 'pg_dump'), ['-h', e.POSTGRES_HOST ?? '', '-p', e.POSTGRES_PORT ?? '', '-U', e.POSTGRES_USER ?? '', e.POSTGRES_DB ?? ''], {
      env: { ...process.env, PGPASSWORD: e.POSTGRES_PASSWORD },
      encoding: 'utf8',
    });
    assert.match(dump, /^COPY public\.votes \(poll, voter, option, stream_ms, stream_seq, voted_at, recorded_at\) FROM stdin;$/m);
    assert.match(dump, /^COPY public\.tallies /m);
    assert.match(dump, /^COPY public\.schema_migrations /m);
    const backup = await as('backup');
    await refused(backup, DENIED, 'DELETE FROM votes', 'UPDATE tallies SET votes = 0', FORGE_TALLY);
  });

  it('finds no excess rights in the service roles, and names those of the owner and the admin', async () => {
    assert.deepEqual(await excessPrivileges(await as('worker'), ROLE_TABLE_PRIVILEGES.worker), []);
    assert.deepEqual(await excessPrivileges(await as('result'), ROLE_TABLE_PRIVILEGES.result), []);
    assert.deepEqual(await excessPrivileges(await as('owner'), ROLE_TABLE_PRIVILEGES.result), [
      'owns the database',
      'CREATE on schema public',
      'owns polls',
      'owns schema_migrations',
      'owns tallies',
      'owns votes',
    ]);
    assert.deepEqual(await excessPrivileges(await as('admin'), ROLE_TABLE_PRIVILEGES.result), ['superuser']);
    assert.deepEqual(await excessPrivileges(await as('backup'), ROLE_TABLE_PRIVILEGES.result), ['SELECT on votes']);
  });

  it('warns at start-up when a service connects with more rights than it needs', async () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l) as { level: number; msg: string }) });
    const db = new Database(loadConfig(postgresVars, server.envFor('owner')), silent, 'test');
    try {
      await warnOnExcessPrivileges(db, 'result', logger);
    } finally {
      await db.close();
    }
    assert.deepEqual(lines.map((l) => l.msg), [
      'the PostgreSQL role connects with more rights than result needs (owns the database; CREATE on schema public; owns polls; owns schema_migrations; owns tallies; owns votes): give it the role result (docs/security.md)',
    ]);
  });

  it('is idempotent, and a new password in the environment rotates it', async () => {
    const config = server.setupConfig();
    const again = await setUpDatabase(config, silent);
    assert.deepEqual(again.applied, []);
    assert.deepEqual(again.roles, ['worker', 'result', 'backup']);
    const rotated = 'rotated-worker-password-0123456789';
    await setUpDatabase({ ...config, postgresWorkerPassword: rotated }, silent);
    const e = server.envFor('worker');
    const connect = (password: string | undefined) => {
      const c = new pg.Client({ host: e.POSTGRES_HOST, port: Number(e.POSTGRES_PORT), user: 'worker', password, database: e.POSTGRES_DB });
      return c.connect().then(() => c.end());
    };
    await assert.rejects(connect(e.POSTGRES_PASSWORD), /password authentication failed for user "worker"/);
    await connect(rotated);
    await setUpDatabase(config, silent);
    await connect(e.POSTGRES_PASSWORD);
  });

  it('stores passwords as SCRAM verifiers, never in clear text', async () => {
    const { rows } = await (await as('admin')).query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = 'worker'");
    assert.match(rows[0]?.rolpassword ?? '', /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
    assert.match(scramVerifier('x'), /^SCRAM-SHA-256\$4096:/);
  });
});
