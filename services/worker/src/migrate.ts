/**
 * The standalone `migrate` command (Kubernetes Job, compose one-shot service): creates the
 * roles when POSTGRES_ADMIN_USER is given, applies the missing migrations as the owner
 * (POSTGRES_USER), grants each service role its privileges, and exits 0, also when all was
 * already in place. It waits up to 30 s (`--wait <seconds>`) for PostgreSQL to accept
 * connections, then fails with a message saying why.
 */
import { parseArgs } from 'node:util';
import { configOrExit, createLogger, loadConfig, migrateSpec, setUpDatabase } from '@bernstein/common';
import { whenReachable } from './startup.js';

const config = configOrExit('migrate', () => loadConfig(migrateSpec));
const waitSeconds = waitArgument();
const logger = createLogger('migrate', config.logLevel);
let code = 0;
try {
  const result = await whenReachable(() => setUpDatabase(config, logger), logger, { timeoutMs: waitSeconds * 1000 });
  logger.info({ applied: result?.applied, current: result?.current, roles: result?.roles }, 'schema is current');
} catch (err) {
  logger.fatal(
    { err, postgres: `${config.postgresHost}:${config.postgresPort}/${config.postgresDb}` },
    `migration failed: ${(err as Error).message}`,
  );
  code = 1;
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
