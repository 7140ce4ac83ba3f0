/**
 * Builds the result service's HTTP app from explicit dependencies (tests use `inject()`):
 * pages, JSON API and event streams behind the shared HTTP hygiene (security headers, the
 * one error handler, timeouts). The ops endpoints are a separate app (`buildResultOpsApp`)
 * on the ops port.
 */
import {
  buildOpsApp,
  createHttpHygiene,
  documentRoutes,
  httpTimeoutVars,
  loadConfig,
  Readiness,
  type HttpTimeouts,
  type Logger,
} from '@bernstein/common';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ResultMetrics } from './metrics.js';
import { registerApiRoutes } from './routes/api.js';
import { registerPageRoutes } from './routes/pages.js';
import { resultApi } from './schemas.js';
import { DEFAULT_KEEPALIVE_MS, SseHub, type SseHubOptions } from './sse.js';
import type { TalliesStore } from './tallies-store.js';
import { ERROR_PAGE_HEADERS, renderErrorPage } from './views/error-page.js';

export interface AppDeps {
  tallies: TalliesStore;
  logger: Logger;
  metrics: ResultMetrics;
  /** Overrides of the SSE hub's defaults (keepalive interval, retry hint, buffer limit, caps). */
  sse?: Partial<Omit<SseHubOptions, 'metrics' | 'logger'>>;
  /** Request, header and keep-alive timeouts; the configuration's defaults when omitted. */
  timeouts?: HttpTimeouts;
  /** Which peers may set X-Forwarded-For/-Proto (the client address of the stream caps, HSTS). */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /** The poll service's voting page of the default poll (POLL_URL): the pages link to it. */
  pollUrl?: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The event-stream hub of this app (its client count, for measurements and tests). */
    sseHub: SseHub;
  }
}

/** The timeouts the configuration schema gives when nothing is set. */
export const DEFAULT_TIMEOUTS: HttpTimeouts = loadConfig(httpTimeoutVars, {});

/**
 * Ready once every poll's tallies have been read at least once. Deliberately NOT tied to
 * PostgreSQL being up afterwards: while it is away, result serves the last known tallies
 * flagged stale (promise 5), which it could not do if every replica left the load balancer.
 */
export function talliesReadiness(tallies: TalliesStore): Readiness {
  return new Readiness({
    tallies: async () => {
      if (!tallies.loaded) throw new Error('tallies not read yet (waiting for PostgreSQL)');
    },
  });
}

/** The ops listener (OPS_PORT): /healthz, /readyz, /metrics, which the public app does not serve. */
export function buildResultOpsApp(deps: { logger: Logger; metrics: ResultMetrics; readiness: Readiness }): FastifyInstance {
  return buildOpsApp({ logger: deps.logger, readiness: deps.readiness, metrics: deps.metrics.registry });
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { tallies, logger, metrics } = deps;
  const hygiene = createHttpHygiene({
    // No route takes a body.
    bodyLimit: 1024,
    timeouts: deps.timeouts ?? DEFAULT_TIMEOUTS,
    errorPage: { headers: ERROR_PAGE_HEADERS, render: (req, error) => renderErrorPage(error, req.url) },
  });
  // pino's Logger carries its own generic; Fastify only needs the base logger interface.
  const baseLogger: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance: baseLogger,
    return503OnClosing: true,
    bodyLimit: 1024,
    trustProxy: deps.trustProxy ?? false,
    ...hygiene.serverOptions,
  });
  const hub = new SseHub({ ...deps.sse, metrics, logger: logger.child({ component: 'sse' }) });
  app.decorate('sseHub', hub);
  const lastChange = new Map<string, string>();
  const unsubscribe = tallies.onUpdate((poll, snapshot) => {
    hub.publish(poll, snapshot);
    // Vote-to-screen delay as this instance sees it: only for updates that carry new tallies.
    const changedAt = snapshot.results.updatedAt;
    if (changedAt !== null && lastChange.get(poll) !== changedAt) {
      if (lastChange.has(poll)) metrics.changeToPush.observe(Math.max(0, Date.now() - Date.parse(changedAt)) / 1000);
      lastChange.set(poll, changedAt);
    }
  });

  // Streams never finish on their own; end them before the server waits for connections.
  app.addHook('preClose', async () => {
    unsubscribe();
    await hub.close();
  });

  hygiene.register(app);
  // Every route below in the OpenAPI document (GET /api/openapi.json), from its schema.
  documentRoutes(app, resultApi);
  registerApiRoutes(app, { tallies, hub });
  registerPageRoutes(app, { tallies, pollUrl: deps.pollUrl, keepaliveMs: deps.sse?.keepaliveMs ?? DEFAULT_KEEPALIVE_MS });
  return app;
}
