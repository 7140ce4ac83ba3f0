/**
 * Database migrations owned by the code. `migrate` is idempotent and safe to run from many
 * processes at once (every worker runs it at start; Kubernetes runs it as a Job): a session
 * advisory lock makes the others wait, then find nothing left to do.
 */
import type { Logger } from 'pino';
import { rethrowExplained, type Database, type Queryable } from './postgres.js';
import { TALLIES_CHANNEL } from './contract.js';
import { POLLS_CHANNEL } from './poll-definitions.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Arbitrary but fixed: the advisory lock key of Bernstein migrations ("bern" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6265726e;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'votes and tallies',
    sql: `
      -- One current vote per (poll, voter). stream_ms/stream_seq is the Redis stream id of
      -- the vote: an upsert only wins over a row with a smaller id, so a redelivered older
      -- vote can never overwrite a newer one.
      CREATE TABLE votes (
        poll        text        NOT NULL,
        voter       text        NOT NULL,
        option      text        NOT NULL,
        stream_ms   bigint      NOT NULL,
        stream_seq  bigint      NOT NULL,
        voted_at    timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (poll, voter)
      );

      -- Votes per option, so reading a poll's results costs O(options), not O(votes).
      CREATE TABLE tallies (
        poll       text        NOT NULL,
        option     text        NOT NULL,
        votes      bigint      NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (poll, option)
      );

      -- Tallies follow votes through statement-level triggers with transition tables: one
      -- aggregated update per statement, computed from the rows actually inserted or
      -- replaced, so concurrent workers cannot make tallies drift from votes. Each commit
      -- that changes a poll's tallies notifies result instances (delivered at commit).
      CREATE FUNCTION tallies_apply_delta() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO tallies AS t (poll, option, votes)
            SELECT poll, option, count(*) FROM new_rows GROUP BY poll, option
          ON CONFLICT (poll, option) DO UPDATE SET votes = t.votes + excluded.votes, updated_at = now();
          PERFORM pg_notify('${TALLIES_CHANNEL}', poll) FROM (SELECT DISTINCT poll FROM new_rows) p;
        ELSE
          INSERT INTO tallies AS t (poll, option, votes)
            SELECT poll, option, sum(delta) FROM (
              SELECT poll, option, -1 AS delta FROM old_rows
              UNION ALL
              SELECT poll, option, 1 AS delta FROM new_rows
            ) d GROUP BY poll, option HAVING sum(delta) <> 0
          ON CONFLICT (poll, option) DO UPDATE SET votes = t.votes + excluded.votes, updated_at = now();
          PERFORM pg_notify('${TALLIES_CHANNEL}', poll) FROM (SELECT DISTINCT poll FROM new_rows) p;
        END IF;
        RETURN NULL;
      END
      $fn$;

      CREATE TRIGGER votes_tally_insert AFTER INSERT ON votes
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION tallies_apply_delta();
      CREATE TRIGGER votes_tally_update AFTER UPDATE ON votes
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION tallies_apply_delta();
    `,
  },
  {
    version: 2,
    name: 'tallies written with the owner\'s rights',
    sql: `
      -- The worker's role may write votes and nothing else (docs/security.md): the trigger
      -- keeps tallies with the rights of the function's owner, not of whoever wrote the vote.
      -- A fixed search_path, so a caller's objects can never stand in for ours.
      ALTER FUNCTION tallies_apply_delta() SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp;
      REVOKE ALL ON FUNCTION tallies_apply_delta() FROM PUBLIC;
    `,
  },
  {
    version: 3,
    name: 'polls defined through the API',
    sql: `
      -- The system of record of polls created through poll's admin API (docs/adr/0005):
      -- the worker applies the control entries of the vote stream here, in stream order (a
      -- row only changes for an entry with a larger stream id). Polls of the configuration
      -- have no row. result reads this table and hears of changes on ${POLLS_CHANNEL}.
      CREATE TABLE polls (
        id          text        PRIMARY KEY,
        definition  jsonb       NOT NULL,
        status      text        NOT NULL CHECK (status IN ('open', 'closed')),
        archived    boolean     NOT NULL DEFAULT false,
        closed_at   timestamptz,
        changed_at  timestamptz NOT NULL,
        stream_ms   bigint      NOT NULL,
        stream_seq  bigint      NOT NULL
      );

      CREATE FUNCTION polls_notify() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $fn$
      BEGIN
        PERFORM pg_notify('${POLLS_CHANNEL}', id) FROM (SELECT DISTINCT id FROM changed) c;
        RETURN NULL;
      END
      $fn$;
      REVOKE ALL ON FUNCTION polls_notify() FROM PUBLIC;

      CREATE TRIGGER polls_notify_insert AFTER INSERT ON polls
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION polls_notify();
      CREATE TRIGGER polls_notify_update AFTER UPDATE ON polls
        REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION polls_notify();
    `,
  },
];

export interface MigrateResult {
  applied: number[];
  current: number;
}

export async function migrate(db: Database, logger: Logger, list: readonly Migration[] = migrations): Promise<MigrateResult> {
  const client = await db.pool.connect().catch(rethrowExplained);
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      const started = performance.now();
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.version);
      logger.info({ version: m.version, name: m.name, ms: Math.round(performance.now() - started) }, 'migration applied');
    }
    const current = Math.max(0, ...done, ...applied);
    if (applied.length === 0) logger.info({ version: current }, 'database schema is up to date');
    return { applied, current };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}

/** The schema version this code needs: the last migration's. */
export const SCHEMA_VERSION = Math.max(...migrations.map((m) => m.version));

/**
 * The applied schema version as the connected role sees it: 0 when schema_migrations does
 * not exist yet or the role may not read it (grants come with the migrate step).
 */
export async function schemaVersion(db: Queryable): Promise<number> {
  try {
    const { rows } = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    return rows[0]?.v ?? 0;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42P01' || code === '42501') return 0; // undefined_table, insufficient_privilege
    throw err;
  }
}

/** True when the connected role may create tables in schema public, i.e. run migrations. */
export async function mayMigrate(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ creates: boolean }>("SELECT has_schema_privilege('public', 'CREATE') AS creates");
  return rows[0]?.creates === true;
}
