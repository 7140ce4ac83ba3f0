/**
 * The voting pages and the form that votes without JavaScript. The form posts `vote=<id>`,
 * and after Redis accepted the vote the browser is sent (303) to `<page>?voted=<id>`, which
 * thanks the voter. A second, non-authoritative cookie remembers this browser's choice so the
 * page can mark it later; it decides nothing (the worker's stream order does).
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, type BernsteinError } from '@bernstein/common';
import type { RouteFlags } from '../errors.js';
import { pollNotFound, type PollView, type PollViews } from '../poll-views.js';
import { castVote, type CastDeps } from '../cast-vote.js';
import { routes, type PollParams, type PollRoute, type VoteForm } from '../schemas.js';
import { renderErrorPage } from '../views/error-page.js';
import { HTML_HEADERS } from '../views/style.js';
import { clearVoterCookie } from '../voter-cookie.js';
import { requireContentType } from './content-type.js';
import { requireSameOrigin } from './same-origin.js';

export interface PageDeps extends CastDeps {
  views: PollViews;
}

const CHOICE_COOKIE_OPTIONS: CookieSerializeOptions = {
  httpOnly: true,
  sameSite: 'lax',
  path: '/',
  maxAge: 365 * 24 * 60 * 60,
  secure: 'auto',
};

export function registerPageRoutes(fastify: FastifyInstance, deps: PageDeps): void {
  const { views } = deps;
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const page = { page: true } satisfies RouteFlags;
  const form = { page: true, vote: true } satisfies RouteFlags;
  // Cross-site first: a forged post is refused before its body is read or its voter looked up.
  const formGuard = [requireSameOrigin, requireContentType('application/x-www-form-urlencoded')];

  app.get('/', { config: page, schema: routes.defaultPage }, (request, reply) => {
    void sendPage(request, reply, views.defaultView);
  });

  app.get<PollRoute, RouteFlags, typeof routes.pollPage>('/polls/:poll', { config: page, schema: routes.pollPage }, (request, reply) => {
    void sendPage(request, reply, views.require(request.params.poll));
  });

  async function vote(view: PollView, form: VoteForm, request: FastifyRequest, reply: FastifyReply) {
    const option = form.vote;
    await castVote(deps, view, option, form.code, request, reply);
    reply.setCookie(view.choiceCookie, option, CHOICE_COOKIE_OPTIONS);
    return reply.redirect(`${view.path}?voted=${encodeURIComponent(option)}`, 303);
  }

  app.post(
    '/',
    { config: form, schema: routes.defaultVoteForm, onRequest: formGuard },
    (request, reply) => vote(views.defaultView, request.body, request, reply),
  );

  app.post<PollRoute, RouteFlags, typeof routes.pollVoteForm>(
    '/polls/:poll',
    {
      config: form,
      schema: routes.pollVoteForm,
      onRequest: formGuard,
      // An unknown poll is a 404 even when the form is also wrong.
      preValidation: (request, _reply, done) => done(views.get(request.params.poll) ? undefined : pollNotFound(request.params.poll)),
    },
    (request, reply) => vote(views.require(request.params.poll), request.body, request, reply),
  );

  // "Start over": the voter's explicit choice of a new identity after its cookie failed to
  // verify (a vote never replaces it silently). Same-origin only, like the votes.
  app.post(
    '/voter/reset',
    { config: page, schema: routes.resetVoter, onRequest: formGuard },
    (request, reply) => {
      clearVoterCookie(reply);
      const back = request.body.return;
      // Only to one of poll's own pages: never an open redirect.
      const target = views.ids.map((id) => views.require(id).path).find((path) => path === back) ?? '/';
      return reply.redirect(target, 303);
    },
  );
}

function sendPage(request: FastifyRequest, reply: FastifyReply, view: PollView): FastifyReply {
  const { voted } = request.query as { voted?: unknown };
  const remembered = request.cookies[view.choiceCookie];
  const choice = remembered === undefined ? undefined : view.optionIndex.get(remembered);
  const justVoted = typeof voted === 'string' ? view.optionIndex.get(voted) : undefined;
  // `?voted=` alone (a shared link) must not contradict the choice this browser remembers.
  const confirmed = justVoted !== undefined && (choice === undefined || choice === justVoted);
  return reply.headers(HTML_HEADERS).send(view.page.page(confirmed ? justVoted : choice, confirmed));
}

/** Words for people, on the page, for failures whose API message is written for programs. */
const PAGE_MESSAGES: Partial<Record<string, string>> = {
  [ErrorCode.REDIS_UNAVAILABLE]: 'Your vote could not be recorded right now because the vote store is unavailable. Please try again in a moment.',
  [ErrorCode.COOKIE_INVALID]:
    'Your voter cookie could not be verified (it may come from an older version of this site), so your vote was not recorded. ' +
    'You can start over as a new voter; a vote you cast before stays counted.',
  [ErrorCode.POLL_CLOSED]: 'Voting in this poll has closed, so your vote was not recorded. The final results are linked below.',
  [ErrorCode.CODE_REQUIRED]: 'This poll needs an access code. Enter the code you were given, then pick your answer.',
  [ErrorCode.CODE_UNKNOWN]: 'This access code is not valid for this poll, so your vote was not recorded. Check the code and try again.',
  [ErrorCode.CODE_USED]: 'This access code has already been used by someone else, so your vote was not recorded.',
  [ErrorCode.CROSS_SITE_REQUEST]: 'This vote was sent from another website, so it was not recorded. To vote, use the buttons on this page.',
  [ErrorCode.NOT_FOUND]: 'There is nothing at this address. The link may be mistyped, or the page may have moved.',
};

/** The page's words for an error: seconds to wait when rate-limited, else PAGE_MESSAGES or the API message. */
function pageMessage(error: BernsteinError): string {
  if (error.code === ErrorCode.RATE_LIMITED) {
    const seconds = Number(error.details?.retryAfterSeconds ?? 1);
    const who = error.details?.limit === 'votes-per-voter' ? 'You have voted very often' : 'Very many people have voted from your network';
    return `${who} in the last minute, so this vote was not recorded. Please try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  }
  return PAGE_MESSAGES[error.code] ?? `${error.message}.`;
}

/** The HTML for an error on a page route: the poll's page with a notice, or a plain error page. */
export function renderPageError(views: PollViews, request: FastifyRequest, error: BernsteinError): string {
  const message = pageMessage(error);
  const route = request.routeOptions.url;
  const pollId = (request.params as Partial<PollParams> | undefined)?.poll;
  const view = route === '/' ? views.defaultView : pollId === undefined ? undefined : views.get(pollId);
  if (view === undefined) return renderErrorPage(error.status === 404 ? 'Not found' : 'Something went wrong', message);
  const remembered = request.cookies?.[view.choiceCookie];
  const choice = remembered === undefined ? undefined : view.optionIndex.get(remembered);
  return view.page.withError(message, choice, error.code === ErrorCode.COOKIE_INVALID);
}
