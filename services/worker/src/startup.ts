/**
 * The schema at start-up. Waits with back-off while PostgreSQL is unreachable (it may start
 * after us, as in compose or a fresh cluster); a failure for another reason is not retried.
 *
 * A worker that connects as the owner (a deployment without per-service roles) runs the same
 * idempotent `migrate` as the standalone command. A worker with its own role may not create
 * tables (docs/security.md): it waits, not ready, until the migrate step has brought the
 * schema to the version this code needs.
 */
import {
  isConnectionError,
  mayMigrate,
  migrate,
  SCHEMA_VERSION,
  schemaVersion,
  type Database,
  type Logger,
  type MigrateResult,
} from '@bernstein/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from './backoff.js';

export interface MigrateWaitOptions {
  /** Gives up (rethrows) after this long; undefined waits forever. */
  timeoutMs?: number;
  /** Checked between attempts; returning true stops waiting (shutdown). */
  cancelled?: () => boolean;
}

/** Runs `step` until it succeeds, retrying connection errors with back-off; null when cancelled. */
export async function whenReachable<T>(step: () => Promise<T>, logger: Logger, opts: MigrateWaitOptions = {}): Promise<T | null> {
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() >= deadline) throw err;
      if (attempt === 0) logger.warn({ err }, 'postgres unreachable; waiting to run migrations');
      await sleep(backoffDelay(attempt, { baseMs: 100, maxMs: 2000 }));
      if (opts.cancelled?.()) return null;
    }
  }
}

export async function migrateWhenReachable(db: Database, logger: Logger, opts: MigrateWaitOptions = {}): Promise<MigrateResult | null> {
  return whenReachable(() => migrate(db, logger), logger, opts);
}

/**
 * The worker's start: migrate when its role may, else wait for the migrate step. Resolves with
 * the schema version once it is current; null when cancelled.
 */
export async function schemaWhenReady(db: Database, logger: Logger, opts: MigrateWaitOptions = {}): Promise<number | null> {
  const ready = await whenReachable(
    async () => {
      if (await mayMigrate(db)) return (await migrate(db, logger)).current;
      return schemaVersion(db);
    },
    logger,
    opts,
  );
  if (ready === null || ready >= SCHEMA_VERSION) return ready;
  logger.warn(
    { current: ready, needed: SCHEMA_VERSION },
    'the schema is older than this worker needs and its role may not migrate: waiting for the migrate step (docs/security.md)',
  );
  for (let attempt = 0; ; attempt++) {
    await sleep(backoffDelay(attempt, { baseMs: 200, maxMs: 5000 }));
    if (opts.cancelled?.()) return null;
    const current = await whenReachable(() => schemaVersion(db), logger, opts);
    if (current === null) return null;
    if (current >= SCHEMA_VERSION) {
      logger.info({ version: current }, 'the schema is current');
      return current;
    }
  }
}
