/**
 * Voter identity: the `bernstein_voter` cookie holds a crypto-random id signed with HMAC
 * (COOKIE_SECRETS, through @fastify/cookie's signer: the first key signs, every key verifies).
 * The id decides "one current vote per voter", so a cookie that does not verify is refused,
 * and never replaced by a new identity on a vote: a replaced id would let a tampered cookie,
 * or a browser bouncing between replicas with different keys, count as a fresh voter each
 * time. Starting over is the voter's explicit act (the page's "Start over" button, which
 * clears the cookie).
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BernsteinError, cookieKeysOf, ErrorCode, VOTER_ID, type CookieKeyConfig, type Logger } from '@bernstein/common';

export const VOTER_COOKIE = 'bernstein_voter';

const ONE_YEAR_S = 365 * 24 * 60 * 60;

export const VOTER_COOKIE_OPTIONS: CookieSerializeOptions = {
  signed: true,
  httpOnly: true,
  sameSite: 'lax',
  path: '/',
  maxAge: ONE_YEAR_S,
  // Secure when the request came over HTTPS: directly, or per X-Forwarded-Proto from a proxy in
  // TRUSTED_PROXIES (from anyone else the header is ignored).
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
      `the ${VOTER_COOKIE} cookie could not be verified (${reason}), so this vote was not recorded; ` +
        `it may be signed with a key this service no longer has. To start over as a new voter, delete the cookie ` +
        `(on the voting page: "Start over"); your earlier vote, if any, stays counted`,
      400,
    );
  }
}

/** Who votes: the voter id, and whether this request created it (no cookie came with it). */
export interface Voter {
  id: string;
  isNew: boolean;
  /** The cookie to send once the vote is recorded: a new voter's, or a re-signed one. */
  setCookie: boolean;
}

/**
 * Resolves the voter of each request. Cookies that verified once with the signing key are
 * remembered (by their exact signed text, so a hit proves exactly what a fresh HMAC would) to
 * spare returning voters the HMAC on every vote; the memory is bounded and simply starts over
 * when full.
 */
export class VoterCookies {
  private verified = new Map<string, string>();

  constructor(private readonly maxRemembered = 20_000) {}

  /**
   * The voter of this request: from a valid cookie, or a new id when there is no cookie.
   * A cookie signed with an older key (still listed in COOKIE_SECRETS) keeps its id and is
   * re-signed with the current key by `issue`. Throws VoterCookieInvalidError when the cookie
   * is present but does not verify; nothing else happens (the cookie is kept).
   */
  voterOf(request: FastifyRequest): Voter {
    const raw = request.cookies[VOTER_COOKIE];
    if (raw === undefined || raw === '') return { id: newVoterId(), isNew: true, setCookie: true };
    const known = this.verified.get(raw);
    if (known !== undefined) return { id: known, isNew: false, setCookie: false };
    const { valid, renew, value } = request.unsignCookie(raw);
    if (!valid || value === null) throw new VoterCookieInvalidError('bad signature');
    if (!VOTER_ID.test(value)) throw new VoterCookieInvalidError('malformed voter id');
    // Signed with an older key: same voter, new signature; not remembered, so the HMAC
    // runs until the browser sends the re-signed cookie.
    if (renew) return { id: value, isNew: false, setCookie: true };
    if (this.verified.size >= this.maxRemembered) this.verified = new Map();
    this.verified.set(raw, value);
    return { id: value, isNew: false, setCookie: false };
  }

  /**
   * Sends the voter's cookie when it needs one, once its vote is recorded. A vote refused for
   * certain (rate-limited, closed, bad input: nothing written) hands out no identity.
   */
  issue(reply: FastifyReply, voter: Voter): void {
    if (voter.setCookie) reply.setCookie(VOTER_COOKIE, voter.id, VOTER_COOKIE_OPTIONS);
  }
}

/** Clears the voter cookie on this response: only on the voter's explicit "Start over". */
export function clearVoterCookie(reply: FastifyReply): void {
  reply.clearCookie(VOTER_COOKIE, { path: '/' });
}

/**
 * The keys for @fastify/cookie: COOKIE_SECRETS (or COOKIE_SECRET), first signs, all verify.
 * Without any (allowed in the local run only; server.ts refuses to start without one in
 * production) a random key of this process, with a warning.
 */
export function voterCookieKeys(config: CookieKeyConfig, logger: Logger): string[] {
  const { keys } = cookieKeysOf(config, false);
  if (keys !== undefined) return [...keys];
  logger.warn(
    'COOKIE_SECRETS is not set: voter cookies are signed with a random key of this process only, so they stop verifying ' +
      'after a restart and on other replicas; set the same COOKIE_SECRETS (32+ characters) on every poll replica',
  );
  return [randomBytes(32).toString('base64url')];
}
