/**
 * JSON API and event stream of a poll's results:
 *   GET /api/polls/:poll/results  the current results (last known, flagged stale, while PostgreSQL is away)
 *   GET /api/polls/:poll/events   Server-Sent Events: the same object at once, then on every change
 *   GET /api/polls/:poll/results.csv   export: `option,label,votes`, one line per option
 *   GET /api/polls/:poll/results.json  export: the results object as a download
 * The results carry the poll's `status` ("open" | "closed"; closed: they are final).
 * Before the first successful read (PostgreSQL unreachable since start-up) the results API
 * answers 503 POSTGRES_UNAVAILABLE; a stream starts with zeros flagged stale, updatedAt null,
 * and gets the real values when they arrive.
 */
import { BernsteinError, ErrorCode } from '@bernstein/common';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ContextConfigDefault, FastifyInstance, FastifyReply } from 'fastify';
import type { Results } from '../results.js';
import { routes, type PollRoute } from '../schemas.js';
import type { SseHub } from '../sse.js';
import type { TalliesStore } from '../tallies-store.js';

export function pollNotFound(poll: string): BernsteinError {
  return new BernsteinError(ErrorCode.POLL_NOT_FOUND, `poll "${poll}" does not exist`, 404, { poll });
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A text that a
 * spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) is prefixed
 * with an apostrophe first (OWASP, "CSV Injection"), so an option label cannot become one.
 */
export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function resultsCsv(results: Results): string {
  const lines = ['option,label,votes', ...results.options.map((o) => [o.id, o.label, o.votes].map(csvField).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export function registerApiRoutes(fastify: FastifyInstance, deps: { tallies: TalliesStore; hub: SseHub }): void {
  const { tallies, hub } = deps;
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();

  /**
   * The current results of a poll: 404 for an unknown poll, 503 for one never read since
   * start-up (there are no last known values to serve, only zeros).
   */
  function readable(poll: string) {
    const snap = tallies.snapshot(poll);
    if (!snap) throw pollNotFound(poll);
    if (!tallies.hasData(poll)) throw new BernsteinError(ErrorCode.POSTGRES_UNAVAILABLE, 'tallies not available yet: PostgreSQL cannot be reached', 503);
    return snap;
  }

  app.get<PollRoute, ContextConfigDefault, typeof routes.resultsCsv>('/api/polls/:poll/results.csv', { schema: routes.resultsCsv }, async (req, reply) => {
    const snap = readable(req.params.poll);
    return download(reply, `${snap.results.poll}-results.csv`, 'text/csv; charset=utf-8', resultsCsv(snap.results));
  });

  app.get<PollRoute, ContextConfigDefault, typeof routes.resultsJson>('/api/polls/:poll/results.json', { schema: routes.resultsJson }, async (req, reply) => {
    const snap = readable(req.params.poll);
    return download(reply, `${snap.results.poll}-results.json`, 'application/json; charset=utf-8', snap.json);
  });

  app.get<PollRoute, ContextConfigDefault, typeof routes.results>('/api/polls/:poll/results', { schema: routes.results }, async (req, reply) => {
    const snap = readable(req.params.poll);
    // The body was serialized once when these tallies were published.
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(snap.json);
  });

  // Thousands of long-lived streams: log them at debug only (connection counts are in /metrics).
  app.get<PollRoute, ContextConfigDefault, typeof routes.events>('/api/polls/:poll/events', { logLevel: 'warn', schema: routes.events }, async (req, reply) => {
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

/** An export: the current results as a file the browser saves (never cached). */
function download(reply: FastifyReply, filename: string, type: string, body: string): FastifyReply {
  return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${filename}"`).type(type).send(body);
}
