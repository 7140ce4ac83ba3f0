/**
 * The pages of result: `/` (results of the default poll), `/polls` (every poll),
 * `/polls/:poll` (its results), `/polls/:poll/present` (the present view) and the icon.
 * Links between them are relative, so they work behind a proxy's path prefix.
 */
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { ContextConfigDefault, FastifyInstance, FastifyReply } from 'fastify';
import { routes, type PollRoute } from '../schemas.js';
import type { TalliesStore } from '../tallies-store.js';
import { votingUrl } from '../views/links.js';
import { POLLS_PAGE_HEADERS, renderPollsPage } from '../views/polls-page.js';
import { PRESENT_PAGE_HEADERS, renderPresentPage } from '../views/present-page.js';
import { RESULTS_PAGE_HEADERS, renderResultsPage } from '../views/results-page.js';
import { FAVICON_SVG } from '../views/theme.js';
import { pollNotFound } from './api.js';

export interface PageDeps {
  tallies: TalliesStore;
  /** The poll service's voting page of the default poll (POLL_URL), if known. */
  pollUrl: string | undefined;
  /** The event stream's keepalive interval: the pages' live indicator counts on it. */
  keepaliveMs: number;
}

export function registerPageRoutes(fastify: FastifyInstance, deps: PageDeps): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const { tallies, pollUrl, keepaliveMs } = deps;
  const voting = (poll: string) => votingUrl(pollUrl, poll, poll === tallies.polls.defaultPoll.id);

  function results(poll: string) {
    const snap = tallies.snapshot(poll);
    if (!snap) throw pollNotFound(poll);
    return snap.results;
  }

  function sendResults(poll: string, root: string, reply: FastifyReply) {
    return reply.headers(RESULTS_PAGE_HEADERS).send(renderResultsPage(results(poll), { root, votingUrl: voting(poll), keepaliveMs }));
  }

  app.get('/', { schema: routes.defaultPage }, async (_req, reply) => sendResults(tallies.polls.defaultPoll.id, './', reply));
  app.get('/polls', { schema: routes.pollsPage }, async (_req, reply) => {
    // Archived polls keep their pages (links stay valid) but leave the list.
    const listed = tallies.polls.polls.filter((p) => !p.archived);
    const entries = listed.map((p) => ({ results: results(p.id), votingUrl: voting(p.id) }));
    return reply.headers(POLLS_PAGE_HEADERS).send(renderPollsPage(entries, './'));
  });
  app.get<PollRoute, ContextConfigDefault, typeof routes.pollPage>('/polls/:poll', { schema: routes.pollPage }, async (req, reply) => sendResults(req.params.poll, '../', reply));
  app.get<PollRoute, ContextConfigDefault, typeof routes.presentPage>('/polls/:poll/present', { schema: routes.presentPage }, async (req, reply) =>
    reply
      .headers(PRESENT_PAGE_HEADERS)
      .send(renderPresentPage(results(req.params.poll), { root: '../../', votingUrl: voting(req.params.poll), keepaliveMs })),
  );
  // Pages link the icon inline; this is for browsers that ask anyway (an API answer opened as a page).
  app.get('/favicon.ico', { schema: routes.favicon }, async (_req, reply) =>
    reply.header('content-type', 'image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG),
  );
}
