/**
 * Voter identity: the `bernstein_voter` cookie holds a crypto-random id signed with HMAC
 * (COOKIE_SECRET, through @fastify/cookie's signer). The id decides "one current vote per
 * voter", so a cookie that does not verify is refused rather than silently replaced: a
 * replaced id would let a tampered cookie count as a fresh voter.
 */
import { randomFillSync } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BernsteinError, ErrorCode, VOTER_ID } from '@bernstein/common';

export const VOTER_COOKIE = 'bernstein_voter';

const ONE_YEAR_S = 365 * 24 * 60 * 60;

export const VOTER_COOKIE_OPTIONS: CookieSerializeOptions = {
  signed: true,
  httpOnly: true,
  sameSite: 'lax',
  path: '/',
  maxAge: ONE_YEAR_S,
  // Secure when the request came over HTTPS (directly or per X-Forwarded-Proto from the proxy).
  secure: 'auto',
};

// 18 random bytes = 144 bits = 24 base64url characters (within VOTER_ID). Filling a pool
// once per 512 ids keeps the system call off the per-request path.
const ID_BYTES = 18;
const pool = Buffer.allocUnsafe(ID_BYTES * 512);
let poolOffset = pool.length;

export function newVoterId(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return id;
}

export class VoterCookieInvalidError extends BernsteinError {
  constructor(reason: string) {
    super(
      ErrorCode.COOKIE_INVALID,
      `the ${VOTER_COOKIE} cookie is invalid (${reason}); it has been cleared, vote again to get a new one`,
      400,
    );
  }
}

/**
 * Resolves the voter of each request. Cookies that verified once are remembered (by their
 * exact signed text, so a hit proves exactly what a fresh HMAC would) to spare returning
 * voters the HMAC on every vote; the memory is bounded and simply starts over when full.
 */
export class VoterCookies {
  private verified = new Map<string, string>();

  constructor(private readonly maxRemembered = 20_000) {}

  /**
   * The voter id of this request: from a valid cookie, or a new id (set on the response) when
   * there is no cookie. Throws VoterCookieInvalidError when the cookie is present but does
   * not verify; the error handler then clears it.
   */
  voterIdOf(request: FastifyRequest, reply: FastifyReply): string {
    const raw = request.cookies[VOTER_COOKIE];
    if (raw === undefined) {
      const id = newVoterId();
      reply.setCookie(VOTER_COOKIE, id, VOTER_COOKIE_OPTIONS);
      return id;
    }
    const known = this.verified.get(raw);
    if (known !== undefined) return known;
    const { valid, value } = request.unsignCookie(raw);
    if (!valid || value === null) throw new VoterCookieInvalidError('bad signature');
    if (!VOTER_ID.test(value)) throw new VoterCookieInvalidError('malformed voter id');
    if (this.verified.size >= this.maxRemembered) this.verified = new Map();
    this.verified.set(raw, value);
    return value;
  }
}

/** Clears the voter cookie on this response (after VoterCookieInvalidError). */
export function clearVoterCookie(reply: FastifyReply): void {
  reply.clearCookie(VOTER_COOKIE, { path: '/' });
}
