/**
 * The poll service as a Fastify app built from explicit dependencies, so tests can run it
 * against a real Redis through `inject()`. `server.ts` is the process around it.
 */
import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  Readiness,
  registerOpsRoutes,
  type ConfigOf,
  type Logger,
  type PollCatalog,
  type pollServiceSpec,
  type Redis,
  type Registry,
} from '@bernstein/common';
import { registerErrorHandling } from './errors.js';
import { createPollMetrics } from './metrics.js';
import { PollViews } from './poll-views.js';
import { registerApiRoutes } from './routes/api.js';
import { registerPageRoutes, renderPageError } from './routes/pages.js';
import { HTML_HEADERS } from './views/style.js';
import { VoterCookies } from './voter-cookie.js';
import { VoteLog } from './votes.js';

export type PollConfig = ConfigOf<typeof pollServiceSpec>;

export interface PollAppDeps {
  config: PollConfig;
  redis: Redis;
  polls: PollCatalog;
  logger: Logger;
  metrics: Registry;
  /** The server passes its own so that shutdown can mark it; by default `pollReadiness()`. */
  readiness?: Readiness;
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

export function buildApp({ config, redis, polls, logger, metrics, readiness }: PollAppDeps): FastifyInstance {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; typed as the base so routes take plain FastifyInstance.
    loggerInstance: logger as FastifyBaseLogger,
    // Two log lines per vote would cost more than the vote; errors are logged by the handler,
    // and every request is logged at debug level below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // Behind Traefik: X-Forwarded-Proto decides whether cookies get the Secure flag.
    trustProxy: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });

  if (logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
      done();
    });
  }

  let secret = config.cookieSecret;
  if (secret === undefined) {
    secret = randomBytes(32).toString('base64url');
    logger.warn(
      'COOKIE_SECRET is not set: voter cookies are signed with a random key of this process only, so they stop verifying ' +
        'after a restart and on other replicas; set the same COOKIE_SECRET (32+ characters) on every poll replica',
    );
  }
  void app.register(fastifyCookie, { secret });
  void app.register(fastifyFormbody);

  const pollMetrics = createPollMetrics(metrics, polls.polls.map((p) => p.id));
  const views = new PollViews(polls, config.resultUrl);
  const votes = new VoteLog(redis, config.votesStream, pollMetrics.appendSeconds);

  registerErrorHandling(app, {
    metrics: pollMetrics,
    bodyLimit: config.bodyLimitBytes,
    htmlHeaders: HTML_HEADERS,
    renderPage: (request, error) => renderPageError(views, request, error),
  });
  registerOpsRoutes(app, { readiness: readiness ?? pollReadiness(), metrics });
  const voters = new VoterCookies();
  registerApiRoutes(app, { views, votes, voters, metrics: pollMetrics });
  registerPageRoutes(app, { views, votes, voters, metrics: pollMetrics });
  return app;
}
