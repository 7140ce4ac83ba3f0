/**
 * The one error handler of the poll service. Every failure becomes a BernsteinError with a
 * stable code; API routes answer `{"error":{"code","message"}}`, pages answer HTML with the
 * same status. 4xx messages say precisely what was wrong; a 5xx never exposes internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BernsteinError, ErrorCode, errorBody } from '@bernstein/common';
import type { PollMetrics } from './metrics.js';
import { clearVoterCookie } from './voter-cookie.js';

/** Route `config` flags read by the error handler. */
export interface RouteFlags {
  /** Answer errors with an HTML page rather than JSON. */
  page?: boolean;
  /** Count errors in bernstein_poll_votes_rejected_total. */
  vote?: boolean;
}

export function toBernsteinError(err: FastifyError | BernsteinError | Error, bodyLimit: number): BernsteinError {
  if (err instanceof BernsteinError) return err;
  const fe = err as FastifyError;
  if (fe.validation) {
    const where = fe.validationContext ?? 'request';
    return new BernsteinError(ErrorCode.BODY_INVALID, `invalid ${where}: ${fe.message}`, 400);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BernsteinError(ErrorCode.BODY_TOO_LARGE, `request body is larger than the limit of ${bodyLimit} bytes`, 413);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(undefined, 'a supported content type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new BernsteinError(ErrorCode.BODY_INVALID, 'request body is empty; expected a JSON object', 400);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new BernsteinError(ErrorCode.BODY_INVALID, 'request body is not valid JSON', 400);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BernsteinError(ErrorCode.BODY_INVALID, 'request body length does not match its Content-Length header', 400);
  }
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Another client error Fastify found (bad URL, aborted request…): its code is stable too.
    return new BernsteinError(fe.code ?? 'BAD_REQUEST', fe.message, status);
  }
  return new BernsteinError(ErrorCode.INTERNAL, 'internal error', 500);
}

export function unsupportedMediaType(got: string | undefined, expected: string): BernsteinError {
  const shown = got === undefined || got === '' ? 'none' : JSON.stringify(got.length > 64 ? `${got.slice(0, 64)}…` : got);
  return new BernsteinError(
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    `unsupported Content-Type ${shown}; expected ${expected}`,
    415,
  );
}

export interface ErrorHandlingOptions {
  metrics: PollMetrics;
  bodyLimit: number;
  /** Renders the HTML page for an error on a page route. */
  renderPage(request: FastifyRequest, error: BernsteinError): string;
  /** HTML headers (CSP etc.) for error pages. */
  htmlHeaders: Record<string, string>;
}

export function registerErrorHandling(app: FastifyInstance, opts: ErrorHandlingOptions): void {
  app.setErrorHandler((err: FastifyError | BernsteinError, request, reply) => {
    const error = toBernsteinError(err, opts.bodyLimit);
    const flags = request.routeOptions.config as RouteFlags;
    logError(request, err, error);
    if (flags.vote) opts.metrics.rejected.inc({ code: error.code });
    return sendError(request, reply, error, flags.page === true, opts);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    const error = new BernsteinError(
      ErrorCode.NOT_FOUND,
      `nothing here: ${request.method} ${JSON.stringify(path.length > 100 ? `${path.slice(0, 100)}…` : path)}`,
      404,
    );
    return sendError(request, reply, error, !path.startsWith('/api/'), opts);
  });
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: BernsteinError,
  asPage: boolean,
  opts: ErrorHandlingOptions,
): FastifyReply {
  reply.code(error.status);
  if (error.code === ErrorCode.COOKIE_INVALID) clearVoterCookie(reply);
  if (error.code === ErrorCode.REDIS_UNAVAILABLE) reply.header('retry-after', '1');
  if (asPage) return reply.headers(opts.htmlHeaders).send(opts.renderPage(request, error));
  return reply.send(errorBody(error.code, error.message));
}

function logError(request: FastifyRequest, original: Error, error: BernsteinError): void {
  if (error.code === ErrorCode.REDIS_UNAVAILABLE) {
    // Connection loss is logged once by the Redis module; a flood of 503s would drown it.
    // Anything else Redis answered with (READONLY, OOM, NOAUTH…) is a real fault to see.
    const cause = error.cause as { name?: string } | undefined;
    if (cause?.name === 'ReplyError') request.log.error({ err: cause }, 'redis refused the vote');
    return;
  }
  if (error.status >= 500) request.log.error({ err: original }, 'request failed');
  else request.log.debug({ code: error.code, msg: error.message }, 'request refused');
}
