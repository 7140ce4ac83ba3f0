/**
 * The JSON API: the polls and their options, and casting a vote. A vote is validated
 * (content type, poll, body schema, option, voter cookie) before anything is written, and
 * acknowledged with 202 only once Redis has appended it; the receipt is its stream id.
 */
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ContextConfigDefault, FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { castVote, type CastDeps } from '../cast-vote.js';
import { pollNotFound, type PollViews } from '../poll-views.js';
import type { RouteFlags } from '../errors.js';
import { routes, type PollParams, type PollRoute } from '../schemas.js';
import { contentTypeCheck } from './content-type.js';

export interface ApiDeps extends CastDeps {
  views: PollViews;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function registerApiRoutes(fastify: FastifyInstance, deps: ApiDeps): void {
  const { views } = deps;
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  // Both bodies were serialized once, when the poll last changed (schemas.ts checks their shape).
  app.get('/api/polls', { schema: routes.listPolls }, (_request, reply) => {
    void reply.type(JSON_TYPE).send(views.listJson);
  });

  app.get<PollRoute, ContextConfigDefault, typeof routes.getPoll>('/api/polls/:poll', { schema: routes.getPoll }, (request, reply) => {
    void reply.type(JSON_TYPE).send(views.require(request.params.poll).json);
  });

  // One hook before the body is read (each hook is a step of Fastify's request cycle, on the
  // hot path): a body of the wrong type is refused unread (415), and an unknown poll is a 404
  // whatever the body holds.
  const jsonBody = contentTypeCheck('application/json');
  function voteGate(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const { poll } = request.params as PollParams;
    done(jsonBody(request) ?? (views.get(poll) === undefined ? pollNotFound(poll) : undefined));
  }

  app.post<PollRoute, RouteFlags, typeof routes.vote>(
    '/api/polls/:poll/votes',
    {
      config: { vote: true },
      // Validates the body and serializes the 202, as before: no other per-request work.
      schema: routes.vote,
      onRequest: voteGate,
    },
    async (request, reply) => {
      const view = views.require(request.params.poll);
      const { option, code } = request.body;
      const receipt = await castVote(deps, view, option, code, request, reply);
      return reply.code(202).send({ poll: view.poll.id, option, receipt });
    },
  );
}
