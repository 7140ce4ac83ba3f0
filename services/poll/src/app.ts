/**
 * The poll service as a Fastify app built from explicit dependencies, so tests can run it
 * against a real Redis through `inject()`. `server.ts` is the process around it.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  buildOpsApp,
  documentRoutes,
  LivePolls,
  Readiness,
  type ConfigOf,
  type Logger,
  type PollCatalog,
  type pollServiceSpec,
  type Redis,
  type Registry,
} from '@bernstein/common';
import { AdminAuth } from './admin-auth.js';
import { pollHttpHygiene } from './errors.js';
import { createPollMetrics } from './metrics.js';
import { PollStore, RESYNC_MS } from './poll-store.js';
import { PollViews } from './poll-views.js';
import { registerAdminApiRoutes } from './routes/admin-api.js';
import { registerAdminPageRoutes } from './routes/admin-pages.js';
import { registerApiRoutes } from './routes/api.js';
import { registerPageRoutes, renderPageError } from './routes/pages.js';
import { pollApi } from './schemas.js';
import { HTML_HEADERS } from './views/style.js';
import { VoterCookies, voterCookieKeys } from './voter-cookie.js';
import { VoteLog, voteLimits } from './votes.js';

export type PollConfig = ConfigOf<typeof pollServiceSpec>;

export interface PollAppDeps {
  config: PollConfig;
  redis: Redis;
  polls: PollCatalog;
  logger: Logger;
  metrics: Registry;
  /** How often the poll definitions are read again in full (change messages do the rest). */
  pollResyncMs?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The poll definitions of this replica (tests wait on it and read it). */
    pollStore: PollStore;
  }
}

/**
 * Ready unless shutting down. Deliberately NOT tied to Redis: while Redis is away poll still
 * serves its pages and answers each vote 503 REDIS_UNAVAILABLE with Retry-After (counted in
 * bernstein_poll_votes_rejected_total, which the BernsteinVotesFailing alert watches). If
 * every replica left the load balancer instead, voters would get the proxy's 404 or bare
 * 503, and the alert would never see a refused vote.
 */
export function pollReadiness(): Readiness {
  return new Readiness({});
}

/**
 * The ops listener (OPS_PORT): /healthz, /readyz, /metrics, which the public app does not
 * serve. Give it the same readiness as the app's server (shutdown marks it).
 */
export function buildPollOpsApp(deps: { logger: Logger; metrics: Registry; readiness: Readiness }): FastifyInstance {
  return buildOpsApp(deps);
}

export function buildApp({ config, redis, polls: configured, logger, metrics, pollResyncMs }: PollAppDeps): FastifyInstance {
  const pollMetrics = createPollMetrics(metrics, configured.polls.map((p) => p.id));
  const polls = new LivePolls(configured);
  const views = new PollViews(polls, config.resultUrl);
  const hygiene = pollHttpHygiene({
    metrics: pollMetrics,
    bodyLimit: config.bodyLimitBytes,
    timeouts: config,
    htmlHeaders: HTML_HEADERS,
    renderPage: (request, error) => renderPageError(views, request, error),
  });
  // pino's Logger is a FastifyBaseLogger; widened to the base so routes take a plain FastifyInstance.
  const baseLogger: FastifyBaseLogger = logger;
  const app = Fastify({
    // Timeouts (slow clients), and Fastify's own client errors in the documented format.
    ...hygiene.serverOptions,
    loggerInstance: baseLogger,
    // Two log lines per vote would cost more than the vote; errors are logged by the handler,
    // and every request is logged at debug level below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // X-Forwarded-For/-Proto only from TRUSTED_PROXIES (none by default): they decide the
    // client address the vote limits are charged to, and whether cookies get the Secure flag.
    trustProxy: config.trustedProxies?.trust ?? false,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });

  if (logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
      done();
    });
  }

  void app.register(fastifyCookie, { secret: voterCookieKeys(config, logger) });
  void app.register(fastifyFormbody);

  const votes = new VoteLog(redis, config.votesStream, pollMetrics.appendSeconds, voteLimits(config), (err) =>
    logger.error({ err }, 'cannot load the vote function into Redis; votes fail until it loads'),
  );

  const store = new PollStore(redis, config.votesStream, polls, votes.ballotBox, logger.child({ component: 'polls' }));
  app.decorate('pollStore', store);
  // Definitions are read before the first request; the store keeps them current afterwards.
  app.addHook('onReady', () => store.start(pollResyncMs ?? RESYNC_MS));
  app.addHook('onClose', () => store.stop());
  const auth = new AdminAuth(config.adminToken);

  // Security headers on every response, the one error handler, the not-found handler.
  hygiene.register(app);
  // Every route below in the OpenAPI document (GET /api/openapi.json), from its schema.
  documentRoutes(app, pollApi);
  const voters = new VoterCookies();
  registerAdminApiRoutes(app, { auth, store });
  registerApiRoutes(app, { views, votes, voters, metrics: pollMetrics });
  registerAdminPageRoutes(app, { auth, store, views });
  registerPageRoutes(app, { views, votes, voters, metrics: pollMetrics });
  return app;
}
