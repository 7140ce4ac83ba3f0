/**
 * Route-level Content-Type guard: runs before the body is read, so a body of the wrong type
 * is refused with 415 without being buffered or parsed. Bodies are UTF-8 only: a `charset`
 * parameter other than UTF-8 (`application/json; charset=utf-16`) is refused too, rather than
 * parsed as UTF-8 into something the client did not send.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { BernsteinError } from '@bernstein/common';
import { unsupportedMediaType } from '../errors.js';

/** The refusal (415) of a request whose body is not `mime` in UTF-8; undefined when it is. */
export function contentTypeCheck(mime: string): (request: FastifyRequest) => BernsteinError | undefined {
  const expected = `${mime} (UTF-8)`;
  // What clients send nearly always, accepted without parsing (the vote route's hot path).
  const common = new Set([mime, `${mime}; charset=utf-8`, `${mime};charset=utf-8`, `${mime}; charset=UTF-8`]);
  return (request) => {
    const header = request.headers['content-type'];
    if (header !== undefined && (common.has(header) || (essence(header) === mime && isUtf8(header)))) return undefined;
    return unsupportedMediaType(header, expected);
  };
}

/** The same check as an onRequest hook. */
export function requireContentType(mime: string) {
  const check = contentTypeCheck(mime);
  return function contentTypeGuard(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    done(check(request));
  };
}

/** `application/json; charset=utf-8` → `application/json`. */
function essence(header: string): string {
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/** True when the header names no charset, or UTF-8 (`utf-8`, `utf8`, quoted or not, any case). */
function isUtf8(header: string): boolean {
  for (const param of header.split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}
