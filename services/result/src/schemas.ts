/**
 * Every route of result as one JSON Schema each (the `schema` its route is registered with),
 * and the results object they share. Handlers get their parameter types from these; the
 * OpenAPI document (docs/api/result.openapi.json) is generated from them. No route of result
 * has a part Fastify validates: a poll id is always a string (an unknown one is a 404), and
 * the results are serialized once per change, not per request, so every part is `documented`
 * (packages/common/src/http/openapi.ts).
 */
import { ErrorCode as E, jsonErrors, pageErrors, pollParams, type ApiDescription, type JsonSchema, type RouteSchema, serviceApi } from '@bernstein/common';

/** The `:poll` parameter, shared with the other service (packages/common/src/http/schemas.ts). */
export { pollParams };
export type { PollParams, PollRoute } from '@bernstein/common';

/** The results of a poll: the API's body and the data of every event of the stream. */
export const resultsSchema = {
  type: 'object',
  required: ['poll', 'question', 'options', 'total', 'updatedAt', 'stale', 'status', 'closedAt'],
  additionalProperties: false,
  properties: {
    poll: { type: 'string', description: 'The poll id' },
    question: { type: 'string' },
    options: {
      type: 'array',
      description: "The poll's options, in its order",
      items: {
        type: 'object',
        required: ['id', 'label', 'votes'],
        additionalProperties: false,
        properties: { id: { type: 'string' }, label: { type: 'string' }, votes: { type: 'integer', minimum: 0 } },
      },
    },
    total: { type: 'integer', minimum: 0, description: 'The votes of the options shown' },
    updatedAt: { type: ['string', 'null'], format: 'date-time', description: 'The latest change of a tally; null before the first vote' },
    stale: { type: 'boolean', description: 'True while these are the last known values and PostgreSQL cannot be reached' },
    status: { type: 'string', enum: ['open', 'closed'], description: '"closed": these are the final results' },
    closedAt: { type: ['string', 'null'], format: 'date-time', description: 'When it closed; null while open' },
  },
} as const;

const html = (description: string) => ({ description, content: { 'text/html': { type: 'string' } } }) as const;
const download = (description: string, media: string, schema: JsonSchema) =>
  ({
    description,
    headers: { 'content-disposition': { description: 'attachment; filename="<poll>-results.<ext>"', schema: { type: 'string' } } },
    content: { [media]: schema },
  }) as const;
const unreadable = { 404: [E.POLL_NOT_FOUND], 503: [E.POSTGRES_UNAVAILABLE] } as const;

export const routes = {
  results: {
    summary: 'The current results of a poll',
    description: 'While PostgreSQL is away, the last known results flagged stale; before the first read since start-up, 503.',
    tags: ['results'],
    documented: {
      params: pollParams,
      responses: { 200: { description: 'The results', content: { 'application/json': resultsSchema } }, ...jsonErrors(unreadable) },
    },
  },
  resultsCsv: {
    summary: 'The results as a CSV file',
    description: "The header `option,label,votes`, then one line per option (RFC 4180; a label a spreadsheet would run as a formula is prefixed with ').",
    tags: ['results'],
    documented: {
      params: pollParams,
      responses: { 200: download('The CSV file', 'text/csv', { type: 'string' }), ...jsonErrors(unreadable) },
    },
  },
  resultsJson: {
    summary: 'The results as a JSON file',
    tags: ['results'],
    documented: {
      params: pollParams,
      responses: { 200: download('The results object as a download', 'application/json', resultsSchema), ...jsonErrors(unreadable) },
    },
  },
  events: {
    summary: 'The results as Server-Sent Events',
    description:
      '`event: results` with the results object as its data, at once and then on every change; `event: keepalive` ' +
      'every 15 s. Beyond the cap of streams of the process or of the client address, 503 with Retry-After.',
    tags: ['results'],
    documented: {
      params: pollParams,
      responses: {
        200: { description: 'The event stream (it does not end)', content: { 'text/event-stream': { type: 'string' } } },
        ...jsonErrors({ 404: [E.POLL_NOT_FOUND], 503: [E.STREAMS_LIMIT] }),
      },
    },
  },
  defaultPage: {
    summary: 'The live results page of the default poll',
    tags: ['pages'],
    documented: { responses: { 200: html('The results page') } },
  },
  pollsPage: {
    summary: 'The list of polls with their votes, status and links',
    tags: ['pages'],
    documented: { responses: { 200: html('The list (archived polls left out)') } },
  },
  pollPage: {
    summary: 'The live results page of a poll',
    tags: ['pages'],
    documented: { params: pollParams, responses: { 200: html('The results page'), ...pageErrors({ 404: [E.POLL_NOT_FOUND] }) } },
  },
  presentPage: {
    summary: 'The present view of a poll: full screen, with the join URL and its QR code',
    tags: ['pages'],
    documented: { params: pollParams, responses: { 200: html('The present view'), ...pageErrors({ 404: [E.POLL_NOT_FOUND] }) } },
  },
  favicon: {
    summary: 'The icon, for browsers that ask for it',
    tags: ['pages'],
    documented: { responses: { 200: { description: 'The icon', content: { 'image/svg+xml': { type: 'string' } } } } },
  },
} as const satisfies Record<string, RouteSchema>;

export const resultApi: ApiDescription = serviceApi({
  title: 'Bernstein result',
  packageJson: new URL('../package.json', import.meta.url),
  serves: 'The live results of the polls: pages, the JSON API and event streams.',
  refusedEarly: ['400 REQUEST_INVALID or URL_INVALID', '404 NOT_FOUND', '408 REQUEST_TIMEOUT', '413 BODY_TOO_LARGE', '414 URI_TOO_LONG', '431 HEADERS_TOO_LARGE'],
  tags: [
    { name: 'results', description: 'The results of a poll' },
    { name: 'pages', description: 'The HTML pages' },
    { name: 'meta', description: 'This document' },
  ],
  schemas: { Results: resultsSchema },
});
