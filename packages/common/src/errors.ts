/**
 * Errors with stable `code` strings: callers and tests match on codes, never on prose.
 * `status` is the HTTP status an API answers with when this error reaches a client.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { errorBodySchema } from './http/schemas.js';

export class BernsteinError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, status = 500, details?: Record<string, unknown>) {
    super(message);
    this.name = 'BernsteinError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** The error codes of the whole system, in one place. */
export const ErrorCode = {
  CONFIG_INVALID: 'BERNSTEIN_CONFIG_INVALID',
  POLL_NOT_FOUND: 'POLL_NOT_FOUND',
  OPTION_UNKNOWN: 'OPTION_UNKNOWN',
  BODY_INVALID: 'BODY_INVALID',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  COOKIE_INVALID: 'VOTER_COOKIE_INVALID',
  NOT_FOUND: 'NOT_FOUND',
  REDIS_UNAVAILABLE: 'REDIS_UNAVAILABLE',
  POSTGRES_UNAVAILABLE: 'POSTGRES_UNAVAILABLE',
  INTERNAL: 'INTERNAL_ERROR',
  ENTRY_MALFORMED: 'STREAM_ENTRY_MALFORMED',
  MIGRATION_FAILED: 'MIGRATION_FAILED',
  /** poll: a vote over the new-voter limit of its client address or the change limit of its voter (429). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** poll: a form post from another origin (403). */
  CROSS_SITE_REQUEST: 'CROSS_SITE_REQUEST',
  /** HTTP requests refused before any route ran (see packages/common/src/http/errors.ts). */
  REQUEST_INVALID: 'REQUEST_INVALID',
  URL_INVALID: 'URL_INVALID',
  URI_TOO_LONG: 'URI_TOO_LONG',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** result: the event-stream cap of this process or of this client address is reached (503). */
  STREAMS_LIMIT: 'TOO_MANY_STREAMS',
  /** Poll lifecycle (issue 12): a definition the admin API refuses (400). */
  POLL_INVALID: 'POLL_INVALID',
  /** A vote to a closed poll (409). */
  POLL_CLOSED: 'POLL_CLOSED',
  /** Creating a poll whose id exists (409). */
  POLL_EXISTS: 'POLL_EXISTS',
  /** Closing or archiving a poll defined by configuration (409). */
  POLL_MANAGED: 'POLL_MANAGED_BY_CONFIGURATION',
  /** The admin API without the right bearer token (401). */
  ADMIN_UNAUTHORIZED: 'ADMIN_UNAUTHORIZED',
  /** Access codes (403): none given, unknown, or bound to another voter. */
  CODE_REQUIRED: 'ACCESS_CODE_REQUIRED',
  CODE_UNKNOWN: 'ACCESS_CODE_UNKNOWN',
  CODE_USED: 'ACCESS_CODE_USED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The JSON body of every API error: `{"error": {"code", "message"}}`, typed from its schema. */
export type ErrorBody = FromSchema<typeof errorBodySchema>;

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
