/**
 * The JSON API: the polls and their options, and casting a vote. A vote is validated
 * (content type, poll, body schema, option, voter cookie) before anything is written, and
 * acknowledged with 202 only once Redis has appended it; the receipt is its stream id.
 */
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ContextConfigDefault, FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { PollMetrics } from '../metrics.js';
import { pollNotFound, requireOption, type PollViews } from '../poll-views.js';
import type { RouteFlags } from '../errors.js';
import { routes, type PollParams, type PollRoute } from '../schemas.js';
import type { VoteLog } from '../votes.js';
import type { VoterCookies } from '../voter-cookie.js';
import { requireContentType } from './content-type.js';

export interface ApiDeps {
  views: PollViews;
  votes: VoteLog;
  voters: VoterCookies;
  metrics: PollMetrics;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function registerApiRoutes(fastify: FastifyInstance, { views, votes, voters, metrics }: ApiDeps): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  // Both bodies were serialized once, when the poll last changed (schemas.ts checks their shape).
  app.get('/api/polls', { schema: routes.listPolls }, (_request, reply) => {
    void reply.type(JSON_TYPE).send(views.listJson);
  });

  app.get<PollRoute, ContextConfigDefault, typeof routes.getPoll>('/api/polls/:poll', { schema: routes.getPoll }, (request, reply) => {
    void reply.type(JSON_TYPE).send(views.require(request.params.poll).json);
  });

  // An unknown poll is a 404 even when the body is also wrong: check it before validation.
  function pollExists(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const { poll } = request.params as PollParams;
    done(views.get(poll) === undefined ? pollNotFound(poll) : undefined);
  }

  app.post<PollRoute, RouteFlags, typeof routes.vote>(
    '/api/polls/:poll/votes',
    {
      config: { vote: true },
      // Validates the body and serializes the 202, as before: no other per-request work.
      schema: routes.vote,
      onRequest: requireContentType('application/json'),
      preValidation: pollExists,
    },
    async (request, reply) => {
      const view = views.require(request.params.poll);
      const { option } = request.body;
      requireOption(view, option);
      const voter = voters.voterOf(request);
      const id = await votes.append(view.poll, voter.id, option, voter.isNew ? 'new' : 'returning', request.ip, request.body.code)
        .catch(voters.keepIdentityOnUnknownOutcome(reply, voter));
      voters.issue(reply, voter);
      metrics.acceptedFor(view.poll.id).inc();
      return reply.code(202).send({ poll: view.poll.id, option, receipt: id });
    },
  );
}
