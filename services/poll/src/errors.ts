/**
 * The poll service's side of the shared HTTP hygiene (packages/common/src/http): errors on
 * page routes are answered with the poll's page and a notice, errors of vote routes are
 * counted.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHttpHygiene, ErrorCode, type BernsteinError, type HttpHygiene, type HttpTimeouts } from '@bernstein/common';
import type { PollMetrics } from './metrics.js';

export { toBernsteinError, unsupportedMediaType } from '@bernstein/common';

/** Route `config` flags read by the error handler. */
export interface RouteFlags {
  /** Answer errors with an HTML page rather than JSON. */
  page?: boolean;
  /** Count errors in bernstein_poll_votes_rejected_total. */
  vote?: boolean;
}

export interface ErrorHandlingOptions {
  metrics: PollMetrics;
  bodyLimit: number;
  timeouts: HttpTimeouts;
  /** Renders the HTML page for an error on a page route. */
  renderPage: (request: FastifyRequest, error: BernsteinError) => string;
  /** HTML headers (CSP etc.) for error pages. */
  htmlHeaders: Record<string, string>;
}

function flagsOf(request: FastifyRequest): RouteFlags {
  return request.routeOptions.config as RouteFlags;
}

export function pollHttpHygiene(opts: ErrorHandlingOptions): HttpHygiene {
  return createHttpHygiene({
    bodyLimit: opts.bodyLimit,
    timeouts: opts.timeouts,
    errorPage: { headers: opts.htmlHeaders, render: opts.renderPage },
    isPage: (request) => flagsOf(request).page === true,
    onError(request: FastifyRequest, _reply: FastifyReply, error: BernsteinError) {
      if (flagsOf(request).vote === true) opts.metrics.rejected.inc({ code: error.code });
      // A voter cookie that failed verification is kept (never silently replaced): the
      // voter starts over only by choice (POST /voter/reset).
      logRedisRefusal(request, error);
    },
  });
}

/**
 * Connection loss is logged once by the Redis module (a flood of 503s would drown it);
 * anything else Redis answered with (READONLY, OOM, NOAUTH…) is a real fault to see.
 */
function logRedisRefusal(request: FastifyRequest, error: BernsteinError): void {
  if (error.code !== ErrorCode.REDIS_UNAVAILABLE) return;
  const cause = error.cause as { name?: string } | undefined;
  if (cause?.name === 'ReplyError') request.log.error({ err: cause }, 'redis refused the vote');
}
