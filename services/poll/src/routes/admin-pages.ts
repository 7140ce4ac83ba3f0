/**
 * The admin page and the public poll list and share panels. Every form post is same-origin
 * only (same-origin.ts, like the voting forms) and, but for the login, needs the session
 * cookie (HttpOnly, SameSite=Strict, Secure over TLS) that the login sets. After an action the
 * browser is sent back to /admin (303) with a notice, so a reload never repeats it.
 */
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BernsteinError, ErrorCode, parsePollInput } from '@bernstein/common';
import type { AdminAuth } from '../admin-auth.js';
import type { RouteFlags } from '../errors.js';
import type { PollStore } from '../poll-store.js';
import type { PollViews } from '../poll-views.js';
import { routes, type CodesForm, type LoginForm, type PollForm, type PollRoute } from '../schemas.js';
import { adminPage, loginPage, pollListPage, sharePage } from '../views/admin-page.js';
import { HTML_HEADERS } from '../views/style.js';
import { sendCodesCsv } from './admin-api.js';
import { requireContentType } from './content-type.js';
import { requireSameOrigin } from './same-origin.js';

const NOTICES: Record<string, { ok: boolean; text: string }> = {
  created: { ok: true, text: 'The poll was created.' },
  closed: { ok: true, text: 'The poll was closed.' },
  archived: { ok: true, text: 'The poll was archived.' },
};

export function registerAdminPageRoutes(fastify: FastifyInstance, deps: { auth: AdminAuth; store: PollStore; views: PollViews }): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const { auth, store, views } = deps;
  const page = { page: true } satisfies RouteFlags;
  const formGuard = [requireSameOrigin, requireContentType('application/x-www-form-urlencoded')];
  const pathOf = (poll: { id: string }) => views.require(poll.id).path;
  const html = (reply: FastifyReply, body: string) => reply.headers(HTML_HEADERS).send(body);

  function requireSession(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    if (auth.hasSession(request)) return done();
    void reply.code(401).headers(HTML_HEADERS).send(loginPage('Please log in with the admin token.'));
  }
  const adminForm = { config: page, onRequest: [...formGuard, requireSession] };
  // The forms' fields are checked here (the admin page answers with a notice), not by Fastify.

  app.get('/admin', { config: page, schema: routes.adminPage }, (request, reply) => {
    if (!auth.hasSession(request)) return html(reply, loginPage());
    const { done } = request.query as { done?: string };
    return html(reply, adminPage(views.polls, pathOf, typeof done === 'string' ? NOTICES[done] : undefined));
  });

  app.post<{ Body: LoginForm }>('/admin/login', { config: page, onRequest: formGuard, schema: routes.adminLogin }, (request, reply) => {
    if (!auth.login(reply, String(request.body.token ?? '')))
      return reply
        .code(401)
        .headers(HTML_HEADERS)
        .send(loginPage(auth.enabled ? 'That is not the admin token.' : 'The admin page is off because ADMIN_TOKEN is not set.'));
    return reply.redirect('/admin', 303);
  });

  app.post('/admin/logout', { config: page, onRequest: formGuard, schema: routes.adminLogout }, (_request, reply) => {
    auth.logout(reply);
    return reply.redirect('/admin', 303);
  });

  /**
   * Runs an admin action, then redirects (303) to the admin page with its notice. A refusal
   * (bad definition, closed, managed by configuration) is the admin page itself, with the
   * message as its notice and the refusal's status; never a message carried in the URL, which
   * another site could link to.
   */
  async function act(reply: FastifyReply, action: () => Promise<string>): Promise<FastifyReply> {
    try {
      return reply.redirect(`/admin?done=${await action()}`, 303);
    } catch (err) {
      if (!(err instanceof BernsteinError) || err.status >= 500) throw err;
      return reply.code(err.status).headers(HTML_HEADERS).send(adminPage(views.polls, pathOf, { ok: false, text: err.message }));
    }
  }

  app.post<{ Body: PollForm }>('/admin/polls', { ...adminForm, schema: routes.adminCreatePoll }, (request, reply) =>
    act(reply, async () => {
      const b = request.body;
      const options = String(b.options ?? '')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .map((label) => ({ label }));
      // datetime-local has no zone: the form says UTC.
      const closesAt = b.closesAt ? `${b.closesAt}${/Z|[+-]\d\d:\d\d$/.test(b.closesAt) ? '' : 'Z'}` : undefined;
      await store.create(parsePollInput({ question: b.question, options, closesAt, access: b.access }));
      return 'created';
    }),
  );

  app.post<PollRoute>('/admin/polls/:poll/close', { ...adminForm, schema: routes.adminClosePoll }, (request, reply) =>
    act(reply, async () => {
      await store.close(request.params.poll);
      return 'closed';
    }),
  );

  app.post<PollRoute>('/admin/polls/:poll/archive', { ...adminForm, schema: routes.adminArchivePoll }, (request, reply) =>
    act(reply, async () => {
      await store.close(request.params.poll, true);
      return 'archived';
    }),
  );

  app.post<PollRoute & { Body: CodesForm }>('/admin/polls/:poll/codes', { ...adminForm, schema: routes.adminCodes }, async (request, reply) => {
    const count = Number(request.body.count);
    try {
      if (!Number.isSafeInteger(count) || count < 1 || count > 1000)
        throw new BernsteinError(ErrorCode.BODY_INVALID, 'Choose between 1 and 1000 codes.', 400);
      return sendCodesCsv(reply, request.params.poll, await store.addCodes(request.params.poll, count));
    } catch (err) {
      if (!(err instanceof BernsteinError) || err.status >= 500) throw err;
      return reply.code(err.status).headers(HTML_HEADERS).send(adminPage(views.polls, pathOf, { ok: false, text: err.message }));
    }
  });

  app.get('/polls', { config: page, schema: routes.pollsPage }, (_request, reply) => html(reply, pollListPage(views.polls, pathOf)));

  app.get<PollRoute>('/polls/:poll/share', { config: page, schema: routes.sharePage }, (request, reply) => {
    const view = views.require(request.params.poll);
    const join = `${request.protocol}://${request.host}${view.path}`;
    return html(reply, sharePage(view.poll, join, view.resultUrl));
  });
}
