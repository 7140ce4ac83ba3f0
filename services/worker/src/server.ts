/**
 * Entry point of the worker: configuration, clients, migrations, the consume loop, the ops
 * HTTP server, and graceful shutdown (SIGTERM: the batch in flight is committed and
 * acknowledged, then the process exits 0).
 */
import {
  configOrExit,
  createLogger,
  createMetricsRegistry,
  createRedis,
  Database,
  installShutdown,
  loadConfig,
  pingRedis,
  Readiness,
  redact,
  streamNames,
  warnOnExcessPrivileges,
  workerServiceSpec,
} from '@bernstein/common';
import { buildApp } from './app.js';
import { Consumer } from './consumer.js';
import { createWorkerMetrics } from './metrics.js';
import { schemaWhenReady } from './startup.js';

const config = configOrExit('worker', () => loadConfig(workerServiceSpec));
const logger = createLogger('worker', config.logLevel).child({ worker: config.workerName });
logger.info({ config: redact(workerServiceSpec, config) }, 'starting');

const names = streamNames(config.votesStream);
const db = new Database(config, logger, `bernstein-worker ${config.workerName}`);
// Two connections: the loop's blocks in XREADGROUP; the other answers probes and scrapes at once.
const streamRedis = createRedis(config, logger, { name: `worker:${config.workerName}:stream` });
const controlRedis = createRedis(config, logger, { name: `worker:${config.workerName}:control` });

const registry = createMetricsRegistry('worker');
const metrics = createWorkerMetrics(registry, { redis: controlRedis, names });
let migrated = false;
const readiness = new Readiness({
  redis: () => pingRedis(controlRedis),
  postgres: () => db.ping(),
  migrations: async () => {
    if (!migrated) throw new Error('migrations not applied yet');
  },
});
const app = buildApp({ logger, readiness, metrics: registry });
const consumer = new Consumer({
  redis: streamRedis,
  db,
  logger,
  metrics,
  names,
  consumer: config.workerName,
  batchSize: config.batchSize,
  blockMs: config.blockMs,
  claimIdleMs: config.claimIdleMs,
});

let stopping = false;
installShutdown({
  logger,
  readiness,
  delayMs: config.shutdownDelayMs,
  timeoutMs: config.shutdownTimeoutMs,
  steps: [
    {
      name: 'consumer',
      close: async () => {
        stopping = true;
        await consumer.stop();
      },
    },
    { name: 'http', close: () => app.close() },
    { name: 'redis', close: () => Promise.all([streamRedis.quit(), controlRedis.quit()]) },
    { name: 'postgres', close: () => db.close() },
  ],
});

await app.listen({ host: config.host, port: config.port });
const version = await schemaWhenReady(db, logger, { cancelled: () => stopping }).catch((err: unknown) => {
  logger.fatal({ err }, 'migrations failed');
  process.exit(1);
});
if (version !== null && !stopping) {
  migrated = true;
  // Least privilege: a role that may do more than write votes is reported, not refused.
  void warnOnExcessPrivileges(db, 'worker', logger);
  consumer.start().catch((err: unknown) => {
    logger.fatal({ err }, 'consume loop failed');
    process.exit(1);
  });
}
