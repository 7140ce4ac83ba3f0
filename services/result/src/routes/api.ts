/**
 * JSON API and event stream of a poll's results:
 *   GET /api/polls/:poll/results  the current results (last known, flagged stale, while PostgreSQL is away)
 *   GET /api/polls/:poll/events   Server-Sent Events: the same object at once, then on every change
 * Before the first successful read (PostgreSQL unreachable since start-up) the results API
 * answers 503 POSTGRES_UNAVAILABLE; a stream starts with zeros flagged stale, updatedAt null,
 * and gets the real values when they arrive.
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
    if (!tallies.hasData(req.params.poll)) {
      // Never read since start-up: there are no last known values to serve, only zeros.
      throw new BernsteinError(ErrorCode.POSTGRES_UNAVAILABLE, 'tallies not available yet: PostgreSQL cannot be reached', 503);
    }
    // The body was serialized once when these tallies were published.
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(snap.json);
  });

  // Thousands of long-lived streams: log them at debug only (connection counts are in /metrics).
  app.get<{ Params: PollParams }>('/api/polls/:poll/events', { logLevel: 'warn' }, async (req, reply) => {
    const snap = tallies.snapshot(req.params.poll);
    if (!snap) throw pollNotFound(req.params.poll);
    // Fastify answers HEAD with the GET handler: say what GET would stream, without a stream.
    if (req.method === 'HEAD') return reply.header('cache-control', 'no-cache').type('text/event-stream; charset=utf-8').send();
    // Beyond the cap of this process or of this client's address: 503 with Retry-After.
    // The address is the socket's unless the request came through a trusted proxy (trustProxy).
    hub.admit(req.ip);
    reply.hijack();
    hub.subscribe(req.params.poll, reply.raw, snap, req.ip);
  });
}
