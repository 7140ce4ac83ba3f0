/**
 * Migrations at start-up: the worker runs the same idempotent `migrate` as the standalone
 * command, waiting with back-off while PostgreSQL is unreachable (it may start after us, as
 * in compose or a fresh cluster). A migration that fails for another reason is not retried.
 */
import { isConnectionError, migrate, type Database, type Logger, type MigrateResult } from '@bernstein/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from './backoff.js';

export interface MigrateWaitOptions {
  /** Gives up (rethrows) after this long; undefined waits forever. */
  timeoutMs?: number;
  /** Checked between attempts; returning true stops waiting (shutdown). */
  cancelled?: () => boolean;
}

export async function migrateWhenReachable(db: Database, logger: Logger, opts: MigrateWaitOptions = {}): Promise<MigrateResult | null> {
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await migrate(db, logger);
    } catch (err) {
      if (!isConnectionError(err) || Date.now() >= deadline) throw err;
      if (attempt === 0) logger.warn({ err }, 'postgres unreachable; waiting to run migrations');
      await sleep(backoffDelay(attempt, { baseMs: 100, maxMs: 2000 }));
      if (opts.cancelled?.()) return null;
    }
  }
}
