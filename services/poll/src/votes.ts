/**
 * Appends votes to the Redis stream, each within its rate limit (ballot-box.ts: limit check
 * and XADD are one Redis function call, one round trip). A vote counts as accepted only once
 * the append has answered with the entry's id, which becomes the voter's receipt. The client
 * is fail-fast (no offline queue), so while Redis is away every append fails at once and the
 * voter gets a 503 instead of a vote held in this process's memory. After a timeout (hung
 * Redis) the outcome is unknown: Redis may still append the entry later. That is safe to
 * retry, because a voter's last vote wins and a repeated identical vote changes nothing.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BernsteinError, ErrorCode, type Histogram, type PollDefinition, type Redis } from '@bernstein/common';
import { BallotBox, gcraArgs, pollKeys, type Ballot, type PollKeys, type Rate } from './ballot-box.js';

export class RedisUnavailableError extends BernsteinError {
  constructor(cause: unknown) {
    super(ErrorCode.REDIS_UNAVAILABLE, 'votes cannot be recorded right now because Redis is unavailable; retry shortly', 503);
    this.cause = cause;
  }
}

/** Which budget a vote is charged to. */
export type VoterKind = 'new' | 'returning';

export class RateLimitedError extends BernsteinError {
  constructor(kind: VoterKind, retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(
      ErrorCode.RATE_LIMITED,
      kind === 'new'
        ? `too many new voters from your network address; nothing was recorded, try again in ${seconds} s`
        : `too many votes from this voter; nothing was recorded, try again in ${seconds} s`,
      429,
      { retryAfterSeconds: seconds, limit: kind === 'new' ? 'new-voters-per-address' : 'votes-per-voter' },
    );
  }
}

/** Why a poll refused a vote, in words for the voter (the page shows them too). */
const REFUSALS: Record<string, [code: string, status: number, message: string]> = {
  POLL_CLOSED: [ErrorCode.POLL_CLOSED, 409, 'voting in this poll has closed; nothing was recorded'],
  POLL_NOT_FOUND: [ErrorCode.POLL_NOT_FOUND, 404, 'this poll no longer exists; nothing was recorded'],
  ACCESS_CODE_REQUIRED: [ErrorCode.CODE_REQUIRED, 403, 'this poll needs an access code: enter the code you were given; nothing was recorded'],
  ACCESS_CODE_UNKNOWN: [ErrorCode.CODE_UNKNOWN, 403, 'this access code is not valid for this poll; check it and try again; nothing was recorded'],
  ACCESS_CODE_USED: [ErrorCode.CODE_USED, 403, 'this access code has already been used by someone else; nothing was recorded'],
};

export function refusalError(refusal: string, poll: string): BernsteinError {
  const [code, status, message] = REFUSALS[refusal] ?? [ErrorCode.INTERNAL, 500, `the vote was refused (${refusal})`];
  return new BernsteinError(code, message, status, { poll });
}

/** An access code as stored: SHA-256 of poll id and code (codes are random, 50+ bits: no slow hash needed). */
export function hashCode(poll: string, code: string): string {
  return createHash('sha256').update(`${poll}\u0000${code.trim().toUpperCase()}`, 'utf8').digest('base64url');
}

export interface VoteLimits {
  /** New voters (votes without a cookie) per client address. */
  newVoters: Rate;
  /** Votes per voter once it exists. */
  voteChanges: Rate;
}

export class VoteLog {
  private readonly box: BallotBox;
  private readonly keys = new Map<string, PollKeys>();
  /** The same functions, for the poll definitions (poll-store.ts). */
  readonly ballotBox: BallotBox;
  private readonly newVoterArgs: [string, string];
  private readonly changeArgs: [string, string];
  private readonly addressPrefix: string;
  private readonly voterPrefix: string;

  constructor(
    redis: Redis,
    private readonly stream: string,
    private readonly appendSeconds: Histogram,
    limits: VoteLimits,
    onLoadError: (err: unknown) => void = () => undefined,
  ) {
    this.box = new BallotBox(redis, onLoadError);
    this.ballotBox = this.box;
    this.newVoterArgs = gcraArgs(limits.newVoters);
    this.changeArgs = gcraArgs(limits.voteChanges);
    this.addressPrefix = `${stream}:limit:address:`;
    this.voterPrefix = `${stream}:limit:voter:`;
  }

  /**
   * Appends one vote if its budget allows and resolves with its stream id (the receipt).
   * A `new` voter is charged to `address`, a `returning` one to its voter id. Throws
   * RateLimitedError (nothing written) or RedisUnavailableError.
   */
  async append(poll: PollDefinition, voter: string, option: string, kind: VoterKind, address: string, code?: string): Promise<string> {
    const isNew = kind === 'new';
    const api = poll.managedBy === 'api';
    const ballot: Ballot = {
      stream: this.stream,
      limitKey: isNew ? this.addressPrefix + clientOf(address) : this.voterPrefix + voter,
      pollKeys: api ? this.keysOf(poll.id) : undefined,
      poll: poll.id,
      voter,
      option,
      codeHash: !api || code === undefined || code.trim() === '' ? '' : hashCode(poll.id, code),
    };
    const started = performance.now();
    let result;
    try {
      result = await this.box.cast(ballot, isNew ? this.newVoterArgs : this.changeArgs);
    } catch (err) {
      throw new RedisUnavailableError(err);
    }
    if ('refused' in result) throw refusalError(result.refused, poll.id);
    if (!result.appended) throw new RateLimitedError(kind, result.retryAfterMs);
    this.appendSeconds.observe((performance.now() - started) / 1000);
    return result.id;
  }

  /** A poll's Redis keys, built once per poll (the vote path builds no strings it can reuse). */
  private keysOf(poll: string): PollKeys {
    let keys = this.keys.get(poll);
    if (keys === undefined) {
      keys = pollKeys(this.stream, poll);
      this.keys.set(poll, keys);
    }
    return keys;
  }
}

/** The limits of a loaded configuration. */
export function voteLimits(config: {
  newVotersPerMinute: number;
  newVotersBurst: number;
  voteChangesPerMinute: number;
  voteChangesBurst: number;
}): VoteLimits {
  return {
    newVoters: { perMinute: config.newVotersPerMinute, burst: config.newVotersBurst },
    voteChanges: { perMinute: config.voteChangesPerMinute, burst: config.voteChangesBurst },
  };
}

/**
 * The client a new-voter budget belongs to: an IPv4 address as it is (an IPv4-mapped IPv6
 * address as its IPv4), an IPv6 address by its /64 prefix. One IPv6 subscriber, home or
 * cloud instance, gets at least a /64 (RFC 6177, RFC 7421): counting each of its 2^64
 * addresses apart would hand an attacker unlimited budgets. Anything else (a forwarded value
 * that is no address) as it is.
 */
export function clientOf(address: string): string {
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) return address.slice(7);
  if (isIP(address) !== 6) return address;
  const zone = address.indexOf('%');
  const bare = zone === -1 ? address : address.slice(0, zone);
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (::1.2.3.4) takes two groups' room (and lies in the dropped low 64 bits).
  const width = right.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - width)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
