/**
 * The admin API (README, "HTTP API"), every route behind the bearer token (401 before the
 * body is read, nothing changed):
 *   POST /api/polls                {question, options: [{label, id?}], id?, closesAt?, access?} → 201 the poll
 *   POST /api/polls/:poll/close    → 200 {id, status: "closed", closedAt}
 *   POST /api/polls/:poll/archive  → 200 {id, status: "closed", archived: true}
 *   POST /api/polls/:poll/codes    {count} → 201 {poll, codes}; with `Accept: text/csv` a CSV file
 */
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ContextConfigDefault, FastifyInstance, FastifyReply } from 'fastify';
import { BernsteinError, describePoll, ErrorCode, parsePollInput } from '@bernstein/common';
import type { AdminAuth } from '../admin-auth.js';
import { MAX_CODES, type PollStore } from '../poll-store.js';
import { routes, type PollRoute } from '../schemas.js';
import { requireContentType } from './content-type.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** 20 options of 200 characters, a question of 300, ids and JSON around them. */
const DEFINITION_LIMIT = 32 * 1024;

export function registerAdminApiRoutes(fastify: FastifyInstance, { auth, store }: { auth: AdminAuth; store: PollStore }): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const admin = { onRequest: auth.requireBearer };
  const json = { onRequest: [auth.requireBearer, requireContentType('application/json')] };

  // The definition is checked by parsePollInput (POLL_INVALID naming the problem), not by Fastify.
  app.post('/api/polls', { ...json, bodyLimit: DEFINITION_LIMIT, schema: routes.createPoll }, async (request, reply) => {
    const poll = await store.create(parsePollInput(request.body));
    request.log.info({ poll: poll.id, access: poll.access, closesAt: poll.closesAt }, 'poll created');
    return reply.code(201).type(JSON_TYPE).send(JSON.stringify(describePoll(poll)));
  });

  app.post<PollRoute, ContextConfigDefault, typeof routes.closePoll>('/api/polls/:poll/close', { ...admin, schema: routes.closePoll }, async (request, reply) => {
    const poll = await store.close(request.params.poll);
    request.log.info({ poll: poll.id }, 'poll closed');
    return reply.type(JSON_TYPE).send({ id: poll.id, status: 'closed', closedAt: poll.closedAt });
  });

  app.post<PollRoute, ContextConfigDefault, typeof routes.archivePoll>('/api/polls/:poll/archive', { ...admin, schema: routes.archivePoll }, async (request, reply) => {
    const poll = await store.close(request.params.poll, true);
    request.log.info({ poll: poll.id }, 'poll archived');
    return reply.type(JSON_TYPE).send({ id: poll.id, status: 'closed', closedAt: poll.closedAt, archived: true });
  });

  // `count` is checked here, with its own message, not by Fastify.
  app.post<PollRoute, ContextConfigDefault, typeof routes.addCodes>('/api/polls/:poll/codes', { ...json, schema: routes.addCodes }, async (request, reply) => {
    const count = (request.body as { count?: unknown } | null)?.count;
    if (!Number.isSafeInteger(count) || (count as number) < 1 || (count as number) > MAX_CODES)
      throw new BernsteinError(ErrorCode.BODY_INVALID, `"count" must be a whole number from 1 to ${MAX_CODES}`, 400);
    const codes = await store.addCodes(request.params.poll, count as number);
    request.log.info({ poll: request.params.poll, count }, 'access codes generated');
    if (wantsCsv(request.headers.accept)) return sendCodesCsv(reply.code(201), request.params.poll, codes);
    return reply.code(201).type(JSON_TYPE).send({ poll: request.params.poll, codes });
  });
}

function wantsCsv(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/csv\b/i.test(accept) && !/application\/json/i.test(accept);
}

/** The codes as a download: one per line under the header `code` (letters and digits only: nothing to escape). */
export function sendCodesCsv(reply: FastifyReply, poll: string, codes: readonly string[]) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${poll}-codes.csv"`)
    .header('cache-control', 'no-store')
    .send(`code\r\n${codes.join('\r\n')}\r\n`);
}
