/**
 * Every route of poll as one JSON Schema each (the `schema` its route is registered with), and
 * the schemas they share: a poll, its path parameter, the vote. Handlers get their request
 * and reply types from these (the json-schema-to-ts type provider, or `FromSchema` for the
 * parts Fastify does not validate); the OpenAPI document (docs/api/poll.openapi.json) is
 * generated from them. What Fastify validates is exactly what it validated before: the
 * other parts are `documented` (packages/common/src/http/openapi.ts).
 */
import type { FromSchema } from 'json-schema-to-ts';
import {
  ErrorCode as E,
  ITEM_ID,
  jsonErrors,
  MAX_LABEL,
  MAX_OPTIONS,
  MAX_QUESTION,
  MIN_OPTIONS,
  pageErrors,
  pollParams,
  serviceApi,
  type ApiDescription,
  type describePoll,
  type RouteSchema,
} from '@bernstein/common';
import { ADMIN_COOKIE } from './admin-auth.js';
import { MAX_CODES } from './poll-store.js';
import { VOTER_COOKIE } from './voter-cookie.js';

// ── shared schemas ────────────────────────────────────────────────────────────────────────

/** The `:poll` parameter, shared with the other service (packages/common/src/http/schemas.ts). */
export { pollParams };
export type { PollParams, PollRoute } from '@bernstein/common';

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

/** A poll as the API gives it (`describePoll`). */
export const pollSchema = {
  type: 'object',
  required: ['id', 'question', 'options', 'status', 'access', 'closesAt', 'closedAt', 'createdAt', 'archived', 'managedBy'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    question: { type: 'string' },
    options: {
      type: 'array',
      items: { type: 'object', required: ['id', 'label'], additionalProperties: false, properties: { id: { type: 'string' }, label: { type: 'string' } } },
    },
    status: { type: 'string', enum: ['open', 'closed'], description: '"closed": votes are refused (closed, or past closesAt)' },
    access: { type: 'string', enum: ['open', 'codes'], description: '"codes": every vote needs a one-time access code' },
    closesAt: { ...nullableTime, description: 'When voting closes, if set' },
    closedAt: { ...nullableTime, description: 'When it was closed, if it was' },
    createdAt: { ...nullableTime, description: 'When it was created through the API; null for a poll of the configuration' },
    archived: { type: 'boolean', description: 'Archived polls are left out of the lists' },
    managedBy: { type: 'string', enum: ['configuration', 'api'] },
  },
} as const;

export const pollListSchema = {
  type: 'object',
  required: ['polls'],
  additionalProperties: false,
  properties: { polls: { type: 'array', items: pollSchema } },
} as const;

/** The body of a vote (validated by Fastify: BODY_INVALID names what is wrong). */
export const voteBody = {
  type: 'object',
  required: ['option'],
  additionalProperties: false,
  properties: {
    option: { type: 'string', minLength: 1, maxLength: 200, description: 'The option id' },
    code: { type: 'string', maxLength: 64, description: 'The access code, for a poll in codes mode' },
  },
} as const;

/** The acknowledgement of a vote, once Redis has appended it (serialized by Fastify). */
export const receiptSchema = {
  type: 'object',
  required: ['poll', 'option', 'receipt'],
  properties: {
    poll: { type: 'string' },
    option: { type: 'string' },
    receipt: { type: 'string', description: 'The id of the vote in the Redis stream' },
  },
} as const;

/** The voting form (validated by Fastify, like the JSON vote). */
export const voteForm = {
  type: 'object',
  required: ['vote'],
  properties: {
    vote: { type: 'string', minLength: 1, maxLength: 200, description: 'The option id' },
    code: { type: 'string', maxLength: 64, description: 'The access code, for a poll in codes mode' },
  },
} as const;

export type VoteForm = FromSchema<typeof voteForm>;

export const resetForm = {
  type: 'object',
  properties: { return: { type: 'string', maxLength: 200, description: "The page to go back to (one of poll's own)" } },
} as const;

/** `POST /api/polls`: checked by `parsePollInput` (POLL_INVALID names the first problem), not by Fastify. */
const pollInput = {
  type: 'object',
  required: ['question', 'options'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: ITEM_ID.source, description: 'A random id when omitted' },
    question: { type: 'string', minLength: 1, maxLength: MAX_QUESTION },
    options: {
      type: 'array',
      minItems: MIN_OPTIONS,
      maxItems: MAX_OPTIONS,
      items: {
        type: 'object',
        required: ['label'],
        properties: {
          label: { type: 'string', minLength: 1, maxLength: MAX_LABEL },
          id: { type: 'string', pattern: ITEM_ID.source, description: 'a, b, c… by position when omitted' },
        },
      },
    },
    closesAt: { type: 'string', format: 'date-time', description: 'In the future' },
    access: { type: 'string', enum: ['open', 'codes'], default: 'open' },
  },
} as const;

const codesInput = {
  type: 'object',
  required: ['count'],
  properties: { count: { type: 'integer', minimum: 1, maximum: MAX_CODES } },
} as const;

const closedSchema = {
  type: 'object',
  required: ['id', 'status', 'closedAt'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, status: { type: 'string', const: 'closed' }, closedAt: nullableTime },
} as const;

const archivedSchema = {
  type: 'object',
  required: ['id', 'status', 'closedAt', 'archived'],
  additionalProperties: false,
  properties: { ...closedSchema.properties, archived: { type: 'boolean', const: true } },
} as const;

const codesSchema = {
  type: 'object',
  required: ['poll', 'codes'],
  additionalProperties: false,
  properties: { poll: { type: 'string' }, codes: { type: 'array', items: { type: 'string' }, description: 'One-time access codes' } },
} as const;

/** The admin forms are checked by their routes, which answer with the admin page. */
const loginForm = { type: 'object', properties: { token: { type: 'string', description: 'ADMIN_TOKEN' } } } as const;
export type LoginForm = FromSchema<typeof loginForm>;

const pollForm = {
  type: 'object',
  properties: {
    question: { type: 'string' },
    options: { type: 'string', description: 'The answers, one per line' },
    closesAt: { type: 'string', description: 'A date and time, UTC unless it names a zone' },
    access: { type: 'string', enum: ['open', 'codes'] },
  },
} as const;
export type PollForm = FromSchema<typeof pollForm>;

const codesForm = { type: 'object', properties: { count: { type: 'string', description: '1 to 1000' } } } as const;
export type CodesForm = FromSchema<typeof codesForm>;

// ── answers ───────────────────────────────────────────────────────────────────────────────

const html = (description: string) => ({ description, content: { 'text/html': { type: 'string' } } }) as const;
const csv = { type: 'string', description: 'The header `code`, then one code per line' } as const;
const location = { location: { description: 'Where the browser goes next', schema: { type: 'string' } } } as const;
const see = (description: string) => ({ description, headers: location }) as const;
const noSession = { 401: html('The login form: no admin session') } as const;

const adminApi = [{ adminToken: [] }] as const;
const adminPage = [{ adminSession: [] }] as const;
const unauthorized = { 401: [E.ADMIN_UNAUTHORIZED] } as const;
const bodyErrors = { 413: [E.BODY_TOO_LARGE], 415: [E.UNSUPPORTED_MEDIA_TYPE] } as const;
/** What closing or archiving an API poll can answer instead. */
const lifecycleErrors = jsonErrors({ ...unauthorized, 404: [E.POLL_NOT_FOUND], 409: [E.POLL_MANAGED], 503: [E.REDIS_UNAVAILABLE] });
/** What a vote can be refused with, whichever route it comes through. */
const voteRefusals = {
  400: [E.OPTION_UNKNOWN, E.BODY_INVALID, E.COOKIE_INVALID],
  403: [E.CODE_REQUIRED, E.CODE_UNKNOWN, E.CODE_USED],
  404: [E.POLL_NOT_FOUND],
  409: [E.POLL_CLOSED],
  ...bodyErrors,
  429: [E.RATE_LIMITED],
  503: [E.REDIS_UNAVAILABLE],
} as const;
/** A form post of a page: from another site it is refused before anything else. */
const formRefusals = { 400: [E.BODY_INVALID], 403: [E.CROSS_SITE_REQUEST], ...bodyErrors } as const;

const form = ['application/x-www-form-urlencoded'] as const;

// ── the routes ────────────────────────────────────────────────────────────────────────────

export const routes = {
  listPolls: {
    summary: 'The polls',
    tags: ['polls'],
    documented: {
      responses: { 200: { description: 'Every poll but the archived ones', content: { 'application/json': pollListSchema } } },
    },
  },
  getPoll: {
    summary: 'One poll',
    description: 'Archived polls too.',
    tags: ['polls'],
    documented: {
      params: pollParams,
      responses: { 200: { description: 'The poll', content: { 'application/json': pollSchema } }, ...jsonErrors({ 404: [E.POLL_NOT_FOUND] }) },
    },
  },
  vote: {
    summary: 'Cast a vote',
    description:
      `Acknowledged once Redis has appended the vote. The voter is the \`${VOTER_COOKIE}\` cookie; a request without it ` +
      'gets a new one (Set-Cookie).',
    tags: ['votes'],
    body: voteBody,
    response: { 202: receiptSchema },
    documented: {
      params: pollParams,
      responses: {
        202: { description: 'The vote was recorded', headers: { 'set-cookie': { description: `\`${VOTER_COOKIE}\`, for a new voter`, schema: { type: 'string' } } } },
        ...jsonErrors(voteRefusals),
      },
    },
  },
  createPoll: {
    summary: 'Create a poll',
    tags: ['admin'],
    security: adminApi,
    documented: {
      body: pollInput,
      responses: {
        201: { description: 'The poll, as GET /api/polls/{poll} gives it', content: { 'application/json': pollSchema } },
        ...jsonErrors({ 400: [E.POLL_INVALID, E.BODY_INVALID], ...unauthorized, 409: [E.POLL_EXISTS], ...bodyErrors, 503: [E.REDIS_UNAVAILABLE] }),
      },
    },
  },
  closePoll: {
    summary: 'Close a poll',
    description: 'Idempotent. Votes acknowledged before count; every later one is refused with 409 POLL_CLOSED.',
    tags: ['admin'],
    security: adminApi,
    response: { 200: closedSchema },
    documented: {
      params: pollParams,
      responses: {
        200: { description: 'The poll is closed' },
        ...lifecycleErrors,
      },
    },
  },
  archivePoll: {
    summary: 'Close a poll and leave it out of the lists',
    tags: ['admin'],
    security: adminApi,
    response: { 200: archivedSchema },
    documented: {
      params: pollParams,
      responses: {
        200: { description: 'The poll is closed and archived' },
        ...lifecycleErrors,
      },
    },
  },
  addCodes: {
    summary: 'Generate one-time access codes',
    description: 'Only their hashes are stored. With `Accept: text/csv` (and not JSON) the answer is a CSV file.',
    tags: ['admin'],
    security: adminApi,
    response: { 201: { content: { 'application/json': { schema: codesSchema }, 'text/csv': { schema: csv } } } },
    documented: {
      params: pollParams,
      headers: { type: 'object', properties: { accept: { type: 'string', description: '`text/csv` for a CSV file' } } },
      body: codesInput,
      responses: {
        201: { description: 'The codes' },
        ...jsonErrors({
          400: [E.BODY_INVALID],
          ...unauthorized,
          404: [E.POLL_NOT_FOUND],
          409: [E.POLL_MANAGED, E.POLL_INVALID],
          ...bodyErrors,
          503: [E.REDIS_UNAVAILABLE],
        }),
      },
    },
  },
  defaultPage: {
    summary: 'The voting page of the default poll',
    tags: ['pages'],
    documented: {
      querystring: { type: 'object', properties: { voted: { type: 'string', description: 'The option just voted for: the page confirms it' } } },
      responses: { 200: html('The voting page') },
    },
  },
  pollPage: {
    summary: 'The voting page of a poll',
    tags: ['pages'],
    documented: {
      params: pollParams,
      querystring: { type: 'object', properties: { voted: { type: 'string', description: 'The option just voted for: the page confirms it' } } },
      responses: { 200: html('The voting page'), ...pageErrors({ 404: [E.POLL_NOT_FOUND] }) },
    },
  },
  defaultVoteForm: {
    summary: 'Vote through the form of the default poll',
    description: 'Same-origin only. After Redis accepted the vote, the browser is sent to the page with `?voted=<option>`.',
    tags: ['pages'],
    consumes: form,
    body: voteForm,
    documented: { responses: { 303: see('The vote was recorded'), ...pageErrors({ ...voteRefusals, 403: [E.CROSS_SITE_REQUEST, ...voteRefusals[403]] }) } },
  },
  pollVoteForm: {
    summary: 'Vote through the form of a poll',
    description: 'Same-origin only. After Redis accepted the vote, the browser is sent to the page with `?voted=<option>`.',
    tags: ['pages'],
    consumes: form,
    body: voteForm,
    documented: {
      params: pollParams,
      responses: { 303: see('The vote was recorded'), ...pageErrors({ ...voteRefusals, 403: [E.CROSS_SITE_REQUEST, ...voteRefusals[403]] }) },
    },
  },
  resetVoter: {
    summary: 'Start over as a new voter',
    description: `Clears the \`${VOTER_COOKIE}\` cookie (after ${E.COOKIE_INVALID}); a vote cast before stays counted. Same-origin only.`,
    tags: ['pages'],
    consumes: form,
    body: resetForm,
    documented: { responses: { 303: see('Back to the page'), ...pageErrors(formRefusals) } },
  },
  pollsPage: {
    summary: 'The list of polls, with their share panels',
    tags: ['pages'],
    documented: { responses: { 200: html('The list (archived polls left out)') } },
  },
  sharePage: {
    summary: 'The share panel of a poll: join URL and QR code',
    tags: ['pages'],
    documented: { params: pollParams, responses: { 200: html('The share panel'), ...pageErrors({ 404: [E.POLL_NOT_FOUND] }) } },
  },
  adminPage: {
    summary: 'The admin page, or its login form',
    tags: ['admin pages'],
    documented: {
      querystring: { type: 'object', properties: { done: { type: 'string', enum: ['created', 'closed', 'archived'], description: 'The notice to show' } } },
      responses: { 200: html('The admin page with a session, else the login form') },
    },
  },
  adminLogin: {
    summary: 'Log in to the admin page',
    tags: ['admin pages'],
    consumes: form,
    documented: {
      body: loginForm,
      responses: {
        303: see(`Logged in: the \`${ADMIN_COOKIE}\` session cookie is set`),
        401: html('The login form: not the admin token'),
        ...pageErrors(formRefusals),
      },
    },
  },
  adminLogout: {
    summary: 'Log out of the admin page',
    tags: ['admin pages'],
    consumes: form,
    documented: { responses: { 303: see('Logged out'), ...pageErrors(formRefusals) } },
  },
  adminCreatePoll: {
    summary: 'Create a poll from the admin page',
    tags: ['admin pages'],
    security: adminPage,
    consumes: form,
    documented: {
      body: pollForm,
      responses: {
        303: see('Created: to the admin page and its notice'),
        ...noSession,
        ...pageErrors({ 400: [E.POLL_INVALID, E.BODY_INVALID], 403: [E.CROSS_SITE_REQUEST], 409: [E.POLL_EXISTS], ...bodyErrors, 503: [E.REDIS_UNAVAILABLE] }),
      },
    },
  },
  adminClosePoll: {
    summary: 'Close a poll from the admin page',
    tags: ['admin pages'],
    security: adminPage,
    consumes: form,
    documented: {
      params: pollParams,
      responses: {
        303: see('Closed: to the admin page and its notice'),
        ...noSession,
        ...pageErrors({ 403: [E.CROSS_SITE_REQUEST], 404: [E.POLL_NOT_FOUND], 409: [E.POLL_MANAGED], ...bodyErrors, 503: [E.REDIS_UNAVAILABLE] }),
      },
    },
  },
  adminArchivePoll: {
    summary: 'Archive a poll from the admin page',
    tags: ['admin pages'],
    security: adminPage,
    consumes: form,
    documented: {
      params: pollParams,
      responses: {
        303: see('Archived: to the admin page and its notice'),
        ...noSession,
        ...pageErrors({ 403: [E.CROSS_SITE_REQUEST], 404: [E.POLL_NOT_FOUND], 409: [E.POLL_MANAGED], ...bodyErrors, 503: [E.REDIS_UNAVAILABLE] }),
      },
    },
  },
  adminCodes: {
    summary: 'Download access codes from the admin page',
    tags: ['admin pages'],
    security: adminPage,
    consumes: form,
    documented: {
      params: pollParams,
      body: codesForm,
      responses: {
        200: { description: 'A CSV file of new codes', content: { 'text/csv': csv } },
        ...noSession,
        ...pageErrors({
          400: [E.BODY_INVALID],
          403: [E.CROSS_SITE_REQUEST],
          404: [E.POLL_NOT_FOUND],
          409: [E.POLL_MANAGED, E.POLL_INVALID],
          ...bodyErrors,
          503: [E.REDIS_UNAVAILABLE],
        }),
      },
    },
  },
} as const satisfies Record<string, RouteSchema>;

// ── the document ──────────────────────────────────────────────────────────────────────────

export const pollApi: ApiDescription = serviceApi({
  title: 'Bernstein poll',
  packageJson: new URL('../package.json', import.meta.url),
  serves: 'Voting pages, the JSON API of polls and votes, and the admin API and page.',
  refusedEarly: ['400 REQUEST_INVALID or URL_INVALID', '404 NOT_FOUND', '408 REQUEST_TIMEOUT', '414 URI_TOO_LONG', '431 HEADERS_TOO_LARGE'],
  tags: [
    { name: 'polls', description: 'The polls and their options' },
    { name: 'votes', description: 'Casting a vote' },
    { name: 'admin', description: 'The admin API: every request needs Authorization: Bearer <ADMIN_TOKEN>' },
    { name: 'pages', description: 'The HTML pages for voters' },
    { name: 'admin pages', description: 'The admin page and its forms' },
    { name: 'meta', description: 'This document' },
  ],
  schemas: { Poll: pollSchema, PollList: pollListSchema, Vote: voteBody, Receipt: receiptSchema },
  securitySchemes: {
    adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
    adminSession: { type: 'apiKey', in: 'cookie', name: ADMIN_COOKIE, description: 'Set by the login form' },
  },
});

// ── the answers the routes write themselves match their schemas ──────────────────────────

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
/** `describePoll` (pre-serialized by PollViews) writes exactly the documented poll. */
export type PollJsonMatchesSchema = Holds<Same<ReturnType<typeof describePoll>, FromSchema<typeof pollSchema>>>;
