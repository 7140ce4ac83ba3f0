/**
 * The HTTP hygiene both web services share, as one plugin:
 * - every error a client can cause, whoever found it (a route, Fastify, Node's HTTP parser),
 *   answered in the documented format: `{"error":{"code","message"}}` on API paths, an HTML
 *   page elsewhere; never a stack trace, never a 5xx for bad input;
 * - the security headers on every response (see headers.ts), HSTS only over TLS;
 * - request, header and keep-alive timeouts, so slow or idle clients cannot hold connections.
 *
 * Some of it must be given to Fastify's constructor (`serverOptions`), the rest is registered
 * on the app (`register`): `createHttpHygiene` returns both from one set of options.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyHttpOptions, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BernsteinError, ErrorCode, errorBody } from '../errors.js';
import { clientErrorOf, shorten, toBernsteinError } from './errors.js';
import { BASE_SECURITY_HEADERS, HSTS, rawSecurityHeaderLines } from './headers.js';

export interface HttpTimeouts {
  /** Complete request headers must arrive within this time (slowloris). */
  headersTimeoutMs: number;
  /** The complete request (headers and body) must arrive within this time; 0 = none. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: number;
}

export interface ErrorPage {
  /** Headers of the HTML page (its Content-Security-Policy). */
  headers: Record<string, string>;
  render(request: FastifyRequest, error: BernsteinError): string;
}

export interface HttpHygieneOptions {
  bodyLimit: number;
  timeouts: HttpTimeouts;
  /** The HTML answer to an error on a page path; JSON everywhere when omitted. */
  errorPage?: ErrorPage;
  /** Whether the error of a routed request is answered with a page (default: path outside /api/). */
  isPage?(request: FastifyRequest): boolean;
  /** Service-specific effects of an answered error (metrics, clearing a cookie), before it is sent. */
  onError?(request: FastifyRequest, reply: FastifyReply, error: BernsteinError): void;
}

export interface HttpHygiene {
  /** Spread into Fastify's constructor options. */
  serverOptions: Pick<
    FastifyHttpOptions<Server>,
    'connectionTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'http' | 'frameworkErrors' | 'clientErrorHandler'
  >;
  /** Adds the security headers and the error and not-found handlers to `app`. */
  register(app: FastifyInstance): void;
}

/** How often Node looks for requests past their header or request timeout. */
const CHECK_INTERVAL_MAX_MS = 1000;

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

const isApiPath = (url: string) => url.startsWith('/api/') || url === '/api';

export function createHttpHygiene(opts: HttpHygieneOptions): HttpHygiene {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = opts.timeouts;
  // Node refuses a header timeout longer than the request timeout.
  const headersTimeout = requestTimeoutMs > 0 ? Math.min(headersTimeoutMs, requestTimeoutMs) : headersTimeoutMs;

  function sendError(request: FastifyRequest, reply: FastifyReply, error: BernsteinError, asPage: boolean, routed = true): FastifyReply {
    reply.code(error.status);
    setSecurityHeaders(request, reply);
    const retryAfter = error.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    else if (error.status === 503) reply.header('retry-after', '1');
    // A framework error has no route (Fastify's request has no route options yet).
    if (routed) opts.onError?.(request, reply, error);
    if (asPage && opts.errorPage !== undefined) return reply.headers(opts.errorPage.headers).send(opts.errorPage.render(request, error));
    return reply.type('application/json; charset=utf-8').send(errorBody(error.code, error.message));
  }

  function logged(request: FastifyRequest, original: unknown, error: BernsteinError): BernsteinError {
    if (error.status >= 500 && error.code !== ErrorCode.REDIS_UNAVAILABLE && error.code !== ErrorCode.STREAMS_LIMIT) {
      request.log.error({ err: original }, 'request failed');
    } else {
      request.log.debug({ code: error.code, msg: error.message }, 'request refused');
    }
    return error;
  }

  const serverOptions: HttpHygiene['serverOptions'] = {
    // A socket without any traffic for this long is closed (event streams opt out).
    connectionTimeout: requestTimeoutMs,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    http: {
      headersTimeout,
      // Node checks header and request deadlines on this interval (30 s by default).
      connectionsCheckingInterval: Math.max(50, Math.min(CHECK_INTERVAL_MAX_MS, Math.floor(headersTimeout / 4))),
    },
    // Bad percent-encoding and over-long URL parameters, found before any route runs.
    frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
      const error = logged(request, err, toBernsteinError(err, opts.bodyLimit));
      void sendError(request, reply, error, !isApiPath(pathOf(request.raw.url ?? '')), false);
    },
    // Malformed HTTP, oversized headers, timeouts: there is no request yet, only a socket.
    clientErrorHandler(err: ConnectionError, socket: Socket) {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      // Node gives the unparsed bytes as a Buffer (Fastify's type says otherwise).
      const raw: unknown = err.rawPacket;
      const { status, code, message } = clientErrorOf({ code: err.code, rawPacket: Buffer.isBuffer(raw) ? raw : undefined });
      if (socket.writable) {
        const body = JSON.stringify(errorBody(code, message));
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\n` +
            `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
            `${rawSecurityHeaderLines()}connection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy();
    },
  };

  function register(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply, done) => {
      setSecurityHeaders(request, reply);
      done();
    });

    app.setErrorHandler((err, request, reply) => {
      const error = logged(request, err, toBernsteinError(err, opts.bodyLimit));
      const asPage = opts.isPage ? opts.isPage(request) : !isApiPath(pathOf(request.url));
      return sendError(request, reply, error, asPage);
    });

    app.setNotFoundHandler((request, reply) => {
      const path = pathOf(request.url);
      const error = new BernsteinError(ErrorCode.NOT_FOUND, `nothing here: ${request.method} ${JSON.stringify(shorten(path))}`, 404);
      return sendError(request, reply, error, !isApiPath(path));
    });
  }

  return { serverOptions, register };
}

function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.headers(BASE_SECURITY_HEADERS);
  // Whether the client's connection is TLS: the socket's, or a trusted proxy's X-Forwarded-Proto
  // (which proxies are trusted is Fastify's trustProxy setting).
  if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};
