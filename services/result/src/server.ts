/**
 * Entry point of the result service: validates configuration (exit 78 naming each bad
 * variable), wires PostgreSQL, the tallies store, the LISTEN connection and the HTTP app,
 * listens on HOST:PORT, and shuts down gracefully on SIGTERM/SIGINT (event streams are
 * ended politely first, so browsers reconnect to another replica).
 */
import {
  configOrExit,
  createLogger,
  createMetricsRegistry,
  Database,
  installShutdown,
  loadConfig,
  loadPolls,
  redact,
  resultServiceSpec,
  warnOnExcessPrivileges,
} from '@bernstein/common';
import { buildApp, buildResultOpsApp, talliesReadiness } from './app.js';
import { TalliesListener } from './listener.js';
import { createResultMetrics } from './metrics.js';
import { TalliesStore } from './tallies-store.js';

async function main(): Promise<void> {
  const { config, polls } = configOrExit('result', () => {
    const config = loadConfig(resultServiceSpec);
    return { config, polls: loadPolls(config) };
  });
  const logger = createLogger('result', config.logLevel);
  logger.info({ config: redact(resultServiceSpec, config), polls: polls.polls.map((p) => p.id) }, 'starting result');

  const metrics = createResultMetrics(createMetricsRegistry('result'));
  const db = new Database(config, logger, 'bernstein-result');
  const tallies = new TalliesStore(db, polls, metrics, logger);
  const listener = new TalliesListener({ connection: config, store: tallies, coalesceMs: config.coalesceMs, logger, metrics });
  const readiness = talliesReadiness(tallies);
  const app = buildApp({
    tallies,
    logger,
    metrics,
    timeouts: config,
    pollUrl: config.pollUrl,
    // Behind Traefik, its address must be trusted, or every stream would count against it.
    trustProxy: config.trustedProxies?.trust ?? false,
    sse: { maxClients: config.sseMaxStreams, maxClientsPerAddress: config.sseMaxStreamsPerClient },
  });
  const ops = buildResultOpsApp({ logger, metrics, readiness });

  installShutdown({
    logger,
    readiness,
    delayMs: config.shutdownDelayMs,
    timeoutMs: config.shutdownTimeoutMs,
    steps: [
      { name: 'http', close: () => app.close() },
      { name: 'listener', close: () => listener.close() },
      { name: 'postgres', close: () => db.close() },
      // Last: probes and scrapes are answered (readiness 503) until the very end.
      { name: 'ops', close: () => ops.close() },
    ],
  });

  listener.start();
  // Least privilege: a role that may do more than read tallies is reported, not refused.
  void warnOnExcessPrivileges(db, 'result', logger);
  // The public port first: a probe that finds the ops port answering may send traffic at once.
  await app.listen({ host: config.host, port: config.port });
  await ops.listen({ host: config.host, port: config.opsPort });
}

main().catch((err: unknown) => {
  createLogger('result').fatal({ err }, 'result failed to start');
  process.exit(1);
});
