/**
 * The JSON Schemas poll and result share in their route schemas (openapi.ts): the error body
 * every API error is answered with (`errorBody()` in ../errors.ts writes it), and the
 * documentation of the errors a route can answer.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { DocumentedResponse, DocumentedResponses } from './openapi.js';

/** `{"error":{"code","message"}}`: the body of every error on an API path. */
export const errorBodySchema = {
  type: 'object',
  description: 'An error on an API path. Match on `code`, never on `message`.',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', description: 'A stable code, such as POLL_NOT_FOUND (README, "The HTTP API")' },
        message: { type: 'string', description: 'What was wrong, in words for people' },
      },
    },
  },
} as const;

/** `:poll` in every path that names a poll. Always a string; an unknown one is a 404. */
export const pollParams = {
  type: 'object',
  required: ['poll'],
  additionalProperties: false,
  properties: { poll: { type: 'string', description: 'The poll id' } },
} as const;
export type PollParams = FromSchema<typeof pollParams>;
/** The generic of a route with `:poll` (Fastify's router gives it as a string; the route answers 404 for an unknown one). */
export interface PollRoute {
  Params: PollParams;
}

const retryAfter = {
  'retry-after': { description: 'Seconds to wait before trying again', schema: { type: 'string', pattern: '^[0-9]+$' } },
} as const;

function describe(codes: readonly string[]): string {
  return codes.map((code) => `\`${code}\``).join(', ');
}

/** The errors of an API route, by status: `{"error":{"code","message"}}` with one of these codes. */
export function jsonErrors(byStatus: { readonly [status: number]: readonly string[] }): DocumentedResponses {
  return errors(byStatus, { 'application/json': errorBodySchema });
}

/** The errors of a page route, by status: an HTML page that says what was wrong. */
export function pageErrors(byStatus: { readonly [status: number]: readonly string[] }): DocumentedResponses {
  return errors(byStatus, { 'text/html': { type: 'string' } });
}

function errors(byStatus: { readonly [status: number]: readonly string[] }, content: DocumentedResponse['content']): DocumentedResponses {
  return Object.fromEntries(
    Object.entries(byStatus).map(([status, codes]): [string, DocumentedResponse] => [
      status,
      {
        description: describe(codes),
        ...(content === undefined ? {} : { content }),
        ...(status === '429' || status === '503' ? { headers: retryAfter } : {}),
      },
    ]),
  );
}
