/**
 * Route-level Content-Type guard: runs before the body is read, so a body of the wrong type
 * is refused with 415 without being buffered or parsed. Bodies are UTF-8 only: a `charset`
 * parameter other than UTF-8 (`application/json; charset=utf-16`) is refused too, rather than
 * parsed as UTF-8 into something the client did not send.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { unsupportedMediaType } from '../errors.js';

export function requireContentType(mime: string) {
  const expected = `${mime} (UTF-8)`;
  return function contentTypeGuard(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const header = request.headers['content-type'];
    if (header === undefined || essence(header) !== mime || !isUtf8(header)) {
      done(unsupportedMediaType(header, expected));
      return;
    }
    done();
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
