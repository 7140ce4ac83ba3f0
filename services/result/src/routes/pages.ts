/** The results pages: `/` for the default poll, `/polls/:poll` for any configured poll. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TalliesStore } from '../tallies-store.js';
import { RESULTS_PAGE_HEADERS, renderResultsPage } from '../views/results-page.js';
import { pollNotFound } from './api.js';

export function registerPageRoutes(app: FastifyInstance, deps: { tallies: TalliesStore }): void {
  const { tallies } = deps;
  const defaultPoll = tallies.polls.defaultPoll.id;

  function send(poll: string, eventsUrl: string, reply: FastifyReply) {
    const snap = tallies.snapshot(poll);
    if (!snap) throw pollNotFound(poll);
    return reply.headers(RESULTS_PAGE_HEADERS).send(renderResultsPage(snap.results, { eventsUrl }));
  }

  app.get('/', async (_req, reply) => send(defaultPoll, `api/polls/${encodeURIComponent(defaultPoll)}/events`, reply));
  app.get<{ Params: { poll: string } }>('/polls/:poll', async (req, reply) =>
    send(req.params.poll, `../api/polls/${encodeURIComponent(req.params.poll)}/events`, reply),
  );
}
