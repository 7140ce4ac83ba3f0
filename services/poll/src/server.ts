/**
 * The poll process: validates the environment once (exit 78 naming each bad variable),
 * connects to Redis, serves HTTP, and shuts down gracefully on SIGTERM/SIGINT.
 */
import {
  configOrExit,
  cookieKeysOf,
  isProduction,
  createLogger,
  createMetricsRegistry,
  createRedis,
  installShutdown,
  loadConfig,
  loadPolls,
  pollServiceSpec,
  redact,
  type Redis,
} from '@bernstein/common';
import { buildApp, buildPollOpsApp, pollReadiness } from './app.js';

/** A vote waits at most this long for Redis before the voter gets a 503. */
const REDIS_COMMAND_TIMEOUT_MS = 2000;

async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit();
  else redis.disconnect();
}

const { config, polls } = configOrExit('poll', () => {
  const config = loadConfig(pollServiceSpec);
  // In production (NODE_ENV=production, as the images set) a missing, published or weak
  // voter cookie key stops the start, naming the variable (exit 78).
  cookieKeysOf(config, isProduction());
  return { config, polls: loadPolls(config) };
});
const logger = createLogger('poll', config.logLevel);
const metrics = createMetricsRegistry('poll');
const redis = createRedis(config, logger, {
  name: 'poll',
  failFast: true,
  autoPipelining: true,
  commandTimeoutMs: REDIS_COMMAND_TIMEOUT_MS,
});
const readiness = pollReadiness();
const app = buildApp({ config, redis, polls, logger, metrics });
const ops = buildPollOpsApp({ logger, metrics, readiness });

installShutdown({
  logger,
  readiness,
  delayMs: config.shutdownDelayMs,
  timeoutMs: config.shutdownTimeoutMs,
  steps: [
    { name: 'http', close: () => app.close() },
    { name: 'redis', close: () => closeRedis(redis) },
    // Last: probes and scrapes are answered (readiness 503) until the very end.
    { name: 'ops', close: () => ops.close() },
  ],
});

// The public port first: a probe that finds the ops port answering may send traffic at once.
for (const [server, port] of [
  [app, config.port],
  [ops, config.opsPort],
] as const) {
  try {
    await server.listen({ host: config.host, port });
  } catch (err) {
    logger.fatal({ err }, `cannot listen on ${config.host}:${port}`);
    process.exit(1);
  }
}
logger.info(
  { config: redact(pollServiceSpec, config), polls: polls.polls.map((p) => p.id), address: app.addresses(), ops: ops.addresses() },
  'poll service ready',
);
