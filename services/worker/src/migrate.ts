/**
 * The standalone `migrate` command (Kubernetes Job, compose one-shot service): applies the
 * missing migrations and exits 0, also when the schema was already current. It waits up to
 * 30 s for PostgreSQL to accept connections, then fails with a message saying why.
 */
import { createLogger, Database, migrateSpec } from '@bernstein/common';
import { loadConfigOrExit } from './config.js';
import { migrateWhenReachable } from './startup.js';

const config = loadConfigOrExit('migrate', migrateSpec);
const logger = createLogger('migrate', config.logLevel);
const db = new Database(config, logger, 'bernstein-migrate');
let code = 0;
try {
  const result = await migrateWhenReachable(db, logger, { timeoutMs: 30_000 });
  logger.info({ applied: result?.applied, current: result?.current }, 'schema is current');
} catch (err) {
  logger.fatal(
    { err, postgres: `${config.postgresHost}:${config.postgresPort}/${config.postgresDb}` },
    `migration failed: ${(err as Error).message}`,
  );
  code = 1;
} finally {
  await db.close().catch(() => undefined);
}
process.exit(code);
