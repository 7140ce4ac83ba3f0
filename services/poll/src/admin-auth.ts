/**
 * Who may define polls: whoever holds ADMIN_TOKEN, as `Authorization: Bearer <token>` (API,
 * CLI) or as the admin page's session cookie, which the login form sets. Both comparisons
 * are constant-time over SHA-256 digests, so neither the token's content nor its length
 * leaks through timing. The cookie holds an HMAC of the token, not the token: it is
 * invalidated when the token is rotated and never reveals it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BernsteinError, ErrorCode } from '@bernstein/common';

export const ADMIN_COOKIE = 'bernstein_admin';

export const ADMIN_COOKIE_OPTIONS: CookieSerializeOptions = {
  httpOnly: true,
  sameSite: 'strict',
  path: '/',
  // Secure whenever the request came over TLS (directly or from a trusted proxy).
  secure: 'auto',
  maxAge: 12 * 60 * 60,
};

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export class AdminAuth {
  private readonly session: string | undefined;

  constructor(private readonly token: string | undefined) {
    this.session = token === undefined ? undefined : createHmac('sha256', token).update('bernstein admin session v1').digest('base64url');
  }

  get enabled(): boolean {
    return this.token !== undefined;
  }

  /** True when the request carries the right bearer token. */
  bearer(request: FastifyRequest): boolean {
    const header = request.headers.authorization;
    if (this.token === undefined || typeof header !== 'string') return false;
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    return match !== null && sameSecret(match[1] as string, this.token);
  }

  /** True when the request carries the admin page's session cookie. */
  hasSession(request: FastifyRequest): boolean {
    const cookie = request.cookies[ADMIN_COOKIE];
    return this.session !== undefined && typeof cookie === 'string' && sameSecret(cookie, this.session);
  }

  /** Checks a token typed into the login form; on success sets the session cookie. */
  login(reply: FastifyReply, given: string): boolean {
    if (this.token === undefined || this.session === undefined || !sameSecret(given.trim(), this.token)) return false;
    reply.setCookie(ADMIN_COOKIE, this.session, ADMIN_COOKIE_OPTIONS);
    return true;
  }

  logout(reply: FastifyReply): void {
    reply.clearCookie(ADMIN_COOKIE, { path: '/' });
  }

  /** onRequest hook of the admin API: 401 (with WWW-Authenticate) unless the bearer token is right. */
  readonly requireBearer = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (this.bearer(request)) return;
    void reply.header('www-authenticate', 'Bearer realm="bernstein admin"');
    throw unauthorized(this.enabled);
  };
}

export function unauthorized(enabled: boolean): BernsteinError {
  return new BernsteinError(
    ErrorCode.ADMIN_UNAUTHORIZED,
    enabled
      ? 'this needs the admin token: send "Authorization: Bearer <ADMIN_TOKEN>"; nothing was changed'
      : 'the admin API is off because ADMIN_TOKEN is not set; nothing was changed',
    401,
  );
}
