/**
 * The poll process: validates the environment once (exit 78 naming each bad variable),
 * connects to Redis, serves HTTP, and shuts down gracefully on SIGTERM/SIGINT.
 */
import { pino } from 'pino';
import {
  BernsteinError,
  createLogger,
  createMetricsRegistry,
  createRedis,
  ErrorCode,
  installShutdown,
  loadConfig,
  loadPolls,
  pingRedis,
  pollServiceSpec,
  Readiness,
  redact,
  type PollCatalog,
  type Redis,
} from '@bernstein/common';
import { buildApp, type PollConfig } from './app.js';

const EX_CONFIG = 78;
/** A vote waits at most this long for Redis before the voter gets a 503. */
const REDIS_COMMAND_TIMEOUT_MS = 2000;

function loadOrExit(): { config: PollConfig; polls: PollCatalog } {
  try {
    const config = loadConfig(pollServiceSpec);
    return { config, polls: loadPolls(config) };
  } catch (err) {
    if (!(err instanceof BernsteinError) || err.code !== ErrorCode.CONFIG_INVALID) throw err;
    // LOG_LEVEL itself may be what is wrong, so this line comes from a fixed-level logger, to stderr.
    const log = pino({ name: 'poll', base: { service: 'poll' } }, pino.destination({ dest: 2, sync: true }));
    log.fatal({ code: err.code, problems: err.details?.problems }, err.message);
    process.exit(EX_CONFIG);
  }
}

async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit();
  else redis.disconnect();
}

const { config, polls } = loadOrExit();
const logger = createLogger('poll', config.logLevel);
const metrics = createMetricsRegistry('poll');
const redis = createRedis(config, logger, {
  name: 'poll',
  failFast: true,
  autoPipelining: true,
  commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS,
});
const readiness = new Readiness({ redis: () => pingRedis(redis) });
const app = buildApp({ config, redis, polls, logger, metrics, readiness });

installShutdown({
  logger,
  readiness,
  delayMs: config.shutdownDelayMs,
  timeoutMs: config.shutdownTimeoutMs,
  steps: [
    { name: 'http', close: () => app.close() },
    { name: 'redis', close: () => closeRedis(redis) },
  ],
});

try {
  await app.listen({ host: config.host, port: config.port });
} catch (err) {
  logger.fatal({ err }, `cannot listen on ${config.host}:${config.port}`);
  process.exit(1);
}
logger.info(
  { config: redact(pollServiceSpec, config), polls: polls.polls.map((p) => p.id), address: app.addresses() },
  'poll service ready',
);
