/**
 * Builds the result service's HTTP app from explicit dependencies (tests use `inject()`):
 * pages, JSON API, event streams, ops endpoints, and the one error handler.
 */
import { BernsteinError, ErrorCode, errorBody, Readiness, registerOpsRoutes, type Logger } from '@bernstein/common';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ResultMetrics } from './metrics.js';
import { registerApiRoutes } from './routes/api.js';
import { registerPageRoutes } from './routes/pages.js';
import { SseHub, type SseHubOptions } from './sse.js';
import type { TalliesStore } from './tallies-store.js';
import { renderErrorPage } from './views/error-page.js';

export interface AppDeps {
  tallies: TalliesStore;
  logger: Logger;
  metrics: ResultMetrics;
  /** Shared with the shutdown handler; a fresh one when omitted. */
  readiness?: Readiness;
  /** Overrides of the SSE hub's defaults (keepalive interval, retry hint, buffer limit). */
  sse?: Partial<Omit<SseHubOptions, 'metrics' | 'logger'>>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The event-stream hub of this app (its client count, for measurements and tests). */
    sseHub: SseHub;
  }
}

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

export function buildApp(deps: AppDeps): FastifyInstance {
  const { tallies, logger, metrics } = deps;
  // pino's Logger carries its own generic; Fastify only needs the base logger interface.
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, return503OnClosing: true });
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

  registerOpsRoutes(app, { readiness: deps.readiness ?? talliesReadiness(tallies), metrics: metrics.registry });
  registerApiRoutes(app, { tallies, hub });
  registerPageRoutes(app, { tallies });

  app.setNotFoundHandler((req, reply) => {
    const message = `no route for ${req.method} ${req.url.split('?')[0]}`;
    return sendError(req, reply, 404, ErrorCode.NOT_FOUND, message, 'Not found');
  });

  app.setErrorHandler((err: FastifyError | BernsteinError, req, reply) => {
    if (err instanceof BernsteinError && err.status < 500) {
      return sendError(req, reply, err.status, err.code, err.message, err.code === ErrorCode.POLL_NOT_FOUND ? 'Poll not found' : 'Bad request');
    }
    const status = err instanceof BernsteinError ? err.status : (err.statusCode ?? 500);
    if (status < 500) {
      return sendError(req, reply, status, err.code ?? ErrorCode.BODY_INVALID, err.message, 'Bad request');
    }
    req.log.error({ err }, 'request failed');
    if (status === 503) reply.header('retry-after', '1');
    // Never send a 5xx's internal message to the client.
    const code = err instanceof BernsteinError ? err.code : ErrorCode.INTERNAL;
    const message = err instanceof BernsteinError ? err.message : 'internal error';
    return sendError(req, reply, status, code, message, 'Something went wrong');
  });

  return app;
}

function sendError(req: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string, title: string) {
  reply.code(status);
  if (req.url.startsWith('/api/')) return reply.send(errorBody(code, message));
  return reply.type('text/html; charset=utf-8').send(renderErrorPage(status, title, message));
}
