/**
 * The JSON API: the polls and their options, and casting a vote. A vote is validated
 * (content type, poll, body schema, option, voter cookie) before anything is written, and
 * acknowledged with 202 only once Redis has appended it; the receipt is its stream id.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { PollMetrics } from '../metrics.js';
import { pollNotFound, requireOption, type PollViews } from '../poll-views.js';
import type { RouteFlags } from '../errors.js';
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

const voteBody = {
  type: 'object',
  required: ['option'],
  additionalProperties: false,
  properties: { option: { type: 'string', minLength: 1, maxLength: 200 }, code: { type: 'string', maxLength: 64 } },
} as const;

const receipt = {
  type: 'object',
  required: ['poll', 'option', 'receipt'],
  properties: { poll: { type: 'string' }, option: { type: 'string' }, receipt: { type: 'string' } },
} as const;

interface PollParams {
  poll: string;
}

export function registerApiRoutes(app: FastifyInstance, { views, votes, voters, metrics }: ApiDeps): void {
  app.get('/api/polls', (_request, reply) => {
    void reply.type(JSON_TYPE).send(views.listJson);
  });

  app.get<{ Params: PollParams }>('/api/polls/:poll', (request, reply) => {
    void reply.type(JSON_TYPE).send(views.require(request.params.poll).json);
  });

  // An unknown poll is a 404 even when the body is also wrong: check it before validation.
  function pollExists(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const { poll } = request.params as PollParams;
    done(views.get(poll) === undefined ? pollNotFound(poll) : undefined);
  }

  app.post<{ Params: PollParams; Body: { option: string; code?: string } }>(
    '/api/polls/:poll/votes',
    {
      config: { vote: true } satisfies RouteFlags,
      schema: { body: voteBody, response: { 202: receipt } },
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
