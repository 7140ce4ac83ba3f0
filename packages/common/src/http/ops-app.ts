/**
 * The ops listener of poll and result: /healthz, /readyz and /metrics on a port of their own
 * (OPS_PORT), which probes and Prometheus reach inside the cluster and which no Ingress or
 * proxy route points at, so the public port serves none of them. (The worker serves nothing
 * else, so its one port, PORT, is its ops port.)
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { registerOpsRoutes, type Readiness } from '../ops.js';
import { createHttpHygiene, type HttpTimeouts } from './hygiene.js';

export interface OpsAppOptions {
  logger: Logger;
  readiness: Readiness;
  metrics: Registry;
  timeouts?: HttpTimeouts;
}

/** Probes and scrapes are small and frequent: short timeouts, no request log. */
const OPS_TIMEOUTS: HttpTimeouts = { headersTimeoutMs: 5000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 30_000 };

export function buildOpsApp(opts: OpsAppOptions): FastifyInstance {
  const hygiene = createHttpHygiene({ bodyLimit: 1024, timeouts: opts.timeouts ?? OPS_TIMEOUTS });
  // Widened to Fastify's logger type so the instance is a plain FastifyInstance, not one typed by pino's Logger.
  const logger: FastifyBaseLogger = opts.logger;
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024,
    ...hygiene.serverOptions,
  });
  hygiene.register(app);
  registerOpsRoutes(app, { readiness: opts.readiness, metrics: opts.metrics });
  return app;
}
