/** The standalone `migrate` command, as the Kubernetes Job and compose run it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Database, loadConfig, migrations, postgresVars } from '@bernstein/common';
import { freePort } from '@bernstein/local';
import { silent, usePostgres } from './helpers.js';
import { Child, MIGRATE } from './process-helpers.js';

describe('migrate command', () => {
  const postgres = usePostgres({ migrate: false });

  async function run(env: Record<string, string>, args: string[] = []): Promise<Child & { code: number | null }> {
    const child = new Child(MIGRATE, { LOG_LEVEL: 'info', ...env }, args);
    const { code } = await child.exited;
    return Object.assign(child, { code });
  }

  it('applies the schema, and a second run finds it current (exit 0 both times)', async () => {
    const first = await run(postgres.server.env);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /migration applied/);
    const second = await run(postgres.server.env);
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.doesNotMatch(second.stdout, /migration applied/);
    assert.match(second.stdout, /up to date/);
    const { rows } = await postgres.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(rows.map((r) => r.version), migrations.map((m) => m.version));
  });

  it('two concurrent runs both succeed and apply each migration once', async () => {
    const [a, b] = await Promise.all([run(postgres.server.env), run(postgres.server.env)]);
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    const { rows } = await postgres.db.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
    assert.equal(Number(rows[0]?.n), migrations.length);
  });

  it('with POSTGRES_ADMIN_USER: creates the roles, migrates as the owner, grants, and logs no password', async () => {
    const env = postgres.server.setupEnv;
    const child = await run(env);
    assert.equal(child.code, 0, child.stderr + child.stdout);
    assert.match(child.stdout, /"roles":\["worker","result","backup"\],"msg":"postgres privileges granted"/);
    for (const key of ['POSTGRES_PASSWORD', 'POSTGRES_ADMIN_PASSWORD', 'POSTGRES_WORKER_PASSWORD', 'POSTGRES_RESULT_PASSWORD', 'POSTGRES_BACKUP_PASSWORD']) {
      assert.ok(!child.stdout.includes(env[key] as string) && !child.stderr.includes(env[key] as string), `${key} is not logged`);
    }
    const { rows } = await postgres.db.query<{ owner: string }>("SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname IN ('votes', 'tallies', 'schema_migrations')");
    assert.deepEqual(rows.map((r) => r.owner), ['bernstein', 'bernstein', 'bernstein']);
    const worker = new Database(loadConfig(postgresVars, postgres.server.envFor('worker')), silent, 'test-worker');
    try {
      await worker.query('SELECT count(*) FROM votes');
    } finally {
      await worker.close();
    }
  });

  it('rejects a bad --wait with a usage error', async () => {
    const child = await run(postgres.server.env, ['--wait', 'soon']);
    assert.equal(child.code, 64);
    assert.match(child.stderr, /--wait expects a whole number of seconds/);
  });

  it('exits 78 naming each bad variable, before connecting', async () => {
    const env: Record<string, string> = { ...postgres.server.env };
    delete env.POSTGRES_PASSWORD;
    const child = await run({ ...env, POSTGRES_PORT: 'ninety' });
    assert.equal(child.code, 78);
    assert.match(child.stderr, /POSTGRES_PASSWORD is required/);
    assert.match(child.stderr, /POSTGRES_PORT is invalid/);
  });

  it('fails with a clear message when the password is wrong', async () => {
    const child = await run({ ...postgres.server.env, POSTGRES_PASSWORD: 'wrong' });
    assert.notEqual(child.code, 0);
    const fatal = child.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 60);
    assert.match(fatal?.msg ?? '', /migration failed: .*password authentication failed/);
  });

  it('waits for an unreachable server, then gives up with a message saying so', async () => {
    const child = await run({ ...postgres.server.env, POSTGRES_PORT: String(await freePort()) }, ['--wait', '2']);
    assert.notEqual(child.code, 0);
    assert.match(child.stdout, /postgres unreachable; waiting/);
    assert.match(child.stdout, /migration failed: .*ECONNREFUSED/);
  });
});
