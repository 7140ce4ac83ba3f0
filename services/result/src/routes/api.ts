/**
 * JSON API and event stream of a poll's results:
 *   GET /api/polls/:poll/results  the current results (last known, flagged stale, while PostgreSQL is away)
 *   GET /api/polls/:poll/events   Server-Sent Events: the same object at once, then on every change
 */
import { BernsteinError, ErrorCode } from '@bernstein/common';
import type { FastifyInstance } from 'fastify';
import type { SseHub } from '../sse.js';
import type { TalliesStore } from '../tallies-store.js';

interface PollParams {
  poll: string;
}

export function pollNotFound(poll: string): BernsteinError {
  return new BernsteinError(ErrorCode.POLL_NOT_FOUND, `poll "${poll}" does not exist`, 404, { poll });
}

export function registerApiRoutes(app: FastifyInstance, deps: { tallies: TalliesStore; hub: SseHub }): void {
  const { tallies, hub } = deps;

  app.get<{ Params: PollParams }>('/api/polls/:poll/results', async (req, reply) => {
    const snap = tallies.snapshot(req.params.poll);
    if (!snap) throw pollNotFound(req.params.poll);
    // The body was serialized once when these tallies were published.
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(snap.json);
  });

  // Thousands of long-lived streams: log them at debug only (connection counts are in /metrics).
  app.get<{ Params: PollParams }>('/api/polls/:poll/events', { logLevel: 'warn' }, async (req, reply) => {
    const snap = tallies.snapshot(req.params.poll);
    if (!snap) throw pollNotFound(req.params.poll);
    if (hub.isClosing) {
      throw new BernsteinError('SHUTTING_DOWN', 'this instance is shutting down; reconnect', 503);
    }
    reply.hijack();
    hub.subscribe(req.params.poll, reply.raw, snap);
  });
}
