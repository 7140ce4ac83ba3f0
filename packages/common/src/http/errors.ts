/**
 * Every failure of an HTTP request as a BernsteinError with a stable code, whoever found it:
 * a route, Fastify (body parsing, validation, bad URLs) or Node's HTTP parser (malformed
 * requests, oversized headers, timeouts). 4xx messages say what was wrong; a 5xx never
 * exposes internals.
 */
import type { FastifyError } from 'fastify';
import { BernsteinError, ErrorCode } from '../errors.js';

/** At most `max` characters of client-supplied text in a message (URLs, header values). */
export function shorten(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function unsupportedMediaType(got: string | undefined, expected: string): BernsteinError {
  const shown = got === undefined || got === '' ? 'none' : JSON.stringify(shorten(got, 64));
  return new BernsteinError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `unsupported Content-Type ${shown}; expected ${expected}`, 415);
}

/** Whatever a route or Fastify threw, as the error the client gets. */
export function toBernsteinError(err: unknown, bodyLimit: number): BernsteinError {
  if (err instanceof BernsteinError) return err;
  const fe = (err ?? {}) as Partial<FastifyError> & { status?: number };
  if (fe.validation) {
    const where = fe.validationContext ?? 'request';
    return new BernsteinError(ErrorCode.BODY_INVALID, `invalid ${where}: ${shorten(String(fe.message), 200)}`, 400);
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
    case 'FST_ERR_BAD_URL':
      return new BernsteinError(ErrorCode.URL_INVALID, 'the URL is not valid percent-encoding', 400);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new BernsteinError(ErrorCode.URI_TOO_LONG, 'a part of the URL is too long', 414);
  }
  const status = fe.statusCode ?? fe.status ?? 500;
  if (status === 413) return new BernsteinError(ErrorCode.BODY_TOO_LARGE, `request body is larger than the limit of ${bodyLimit} bytes`, 413);
  if (status === 415) return unsupportedMediaType(undefined, 'a supported content type');
  if (status >= 400 && status < 500) {
    // The body parsers' own refusals (prototype poisoning, bad encodings) are about the body.
    const code = fe.code?.startsWith('FST_ERR_CTP') || /JSON|body/i.test(String(fe.message)) ? ErrorCode.BODY_INVALID : ErrorCode.REQUEST_INVALID;
    return new BernsteinError(code, shorten(String(fe.message ?? 'bad request'), 200), status);
  }
  return new BernsteinError(ErrorCode.INTERNAL, 'internal error', 500);
}

/** An error of Node's HTTP parser (`clientError`): status and code, before any request exists. */
export function clientErrorOf(err: { code?: string | undefined; rawPacket?: Buffer | undefined }): { status: number; code: string; message: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: ErrorCode.REQUEST_TIMEOUT, message: 'the request was not received in time' };
    case 'HPE_HEADER_OVERFLOW':
      // Node counts the request line towards the header limit: a request line that does not
      // even end within the buffered data is a URI too long, not too many headers.
      if (err.rawPacket !== undefined && requestLineTooLong(err.rawPacket)) {
        return { status: 414, code: ErrorCode.URI_TOO_LONG, message: 'the request URL is too long' };
      }
      return { status: 431, code: ErrorCode.HEADERS_TOO_LARGE, message: 'the request headers are too large' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: ErrorCode.BODY_TOO_LARGE, message: 'the chunk extensions are too large' };
    default:
      return { status: 400, code: ErrorCode.REQUEST_INVALID, message: 'the request is not valid HTTP/1.1' };
  }
}

function requestLineTooLong(packet: Buffer): boolean {
  const end = packet.indexOf('\r\n');
  return end === -1 || end > 8192;
}
