/**
 * The standalone `migrate` command (Kubernetes Job, compose one-shot service): applies the
 * missing migrations and exits 0, also when the schema was already current. It waits up to
 * 30 s (`--wait <seconds>`) for PostgreSQL to accept connections, then fails with a message
 * saying why.
 */
import { parseArgs } from 'node:util';
import { configOrExit, createLogger, Database, loadConfig, migrateSpec } from '@bernstein/common';
import { migrateWhenReachable } from './startup.js';

const config = configOrExit('migrate', () => loadConfig(migrateSpec));
const waitSeconds = waitArgument();
const logger = createLogger('migrate', config.logLevel);
const db = new Database(config, logger, 'bernstein-migrate');
let code = 0;
try {
  const result = await migrateWhenReachable(db, logger, { timeoutMs: waitSeconds * 1000 });
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

function waitArgument(): number {
  const { values } = parseArgs({ options: { wait: { type: 'string', default: '30' } } });
  const seconds = Number(values.wait);
  if (!/^\d+$/.test(values.wait ?? '') || !Number.isSafeInteger(seconds)) {
    process.stderr.write(`migrate: --wait expects a whole number of seconds, got ${JSON.stringify(values.wait)}\n`);
    process.exit(64);
  }
  return seconds;
}
