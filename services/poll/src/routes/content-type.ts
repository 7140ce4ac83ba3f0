/**
 * Route-level Content-Type guard: runs before the body is read, so a body of the wrong type
 * is refused with 415 without being buffered or parsed.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { unsupportedMediaType } from '../errors.js';

export function requireContentType(mime: string) {
  return function contentTypeGuard(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const header = request.headers['content-type'];
    if (header === undefined || essence(header) !== mime) {
      done(unsupportedMediaType(header, mime));
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
