/**
 * The vote's one Redis round trip: a Redis function that checks the voter's rate limit and,
 * only if the vote is within it, appends the vote to the stream. Check and append are atomic
 * (Redis runs a function to the end before anything else), so a refused vote is never
 * half-written, no other replica can slip a vote between the check and the append, and every
 * poll replica enforces one budget, whose state lives in Redis.
 *
 * The limit is GCRA (the generic cell rate algorithm): one number per key, the "theoretical
 * arrival time" (TAT) at which the bucket would be empty again. A vote at `now` is allowed
 * when `TAT - tolerance <= now`, and then moves TAT to `max(TAT, now) + interval`. With
 * `interval = 1 minute / rate` and `tolerance = (burst - 1) × interval` that is a token bucket
 * of `burst` tokens refilled at `rate` per minute, but it stores one value instead of two,
 * needs no refill arithmetic, and the key expires exactly when the bucket is full again, so
 * idle addresses and voters cost no memory. The clock is Redis's own `TIME`, read inside the
 * function: one clock for every replica, whatever their clocks say (Redis 7 replicates the
 * function's effects, not the call, so a non-deterministic TIME is allowed).
 *
 * Which key: a vote without a voter cookie creates a voter and is charged to its client
 * address (`<stream>:limit:address:<ip>`); a vote with one is charged to that voter
 * (`<stream>:limit:voter:<id>`). Both keys sit next to the stream; in a Redis Cluster they
 * would need a hash tag to share its slot (Bernstein runs one Redis).
 *
 * Loading: functions survive a restart when Redis persists them (AOF, as shipped) but not a
 * fresh, empty Redis, nor FUNCTION FLUSH. So the library is loaded (FUNCTION LOAD REPLACE,
 * idempotent) whenever the connection becomes ready, and once more if a call still finds no
 * function. The version is in the library's and the function's names: replicas of two
 * releases mid-rollout each call their own version, and REPLACE never swaps the code under
 * the other. Bump it whenever the code changes.
 */
import type { Redis } from '@bernstein/common';

export const BALLOT_LIBRARY_VERSION = 1;
export const BALLOT_LIBRARY = `bernstein_ballot_v${BALLOT_LIBRARY_VERSION}`;
export const VOTE_FUNCTION = `bernstein_vote_v${BALLOT_LIBRARY_VERSION}`;

/**
 * KEYS[1] the stream, KEYS[2] the limit key. ARGV[1] the interval and ARGV[2] the tolerance,
 * both in microseconds, ARGV[3…] the XADD field list. Returns the stream id (a string) when
 * the vote was appended, or the number of milliseconds to wait (an integer, ≥ 1) when it was
 * refused and nothing was written.
 */
export const BALLOT_LIBRARY_CODE = `#!lua name=${BALLOT_LIBRARY}
local function vote(keys, args)
  local interval = tonumber(args[1])
  local tolerance = tonumber(args[2])
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
  local tat = tonumber(redis.call('GET', keys[2]))
  if tat == nil or tat < now then tat = now end
  local wait = tat - tolerance - now
  if wait > 0 then
    return math.ceil(wait / 1000)
  end
  -- Append first: if XADD fails (wrong key type, out of memory), no budget is spent.
  local id = redis.call('XADD', keys[1], '*', unpack(args, 3))
  local next_tat = tat + interval
  redis.call('SET', keys[2], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
  return id
end
redis.register_function('${VOTE_FUNCTION}', vote)
`;

/** One limit: `perMinute` sustained, `burst` at once. */
export interface Rate {
  perMinute: number;
  burst: number;
}

/** A rate as the function's arguments: interval and tolerance in microseconds. */
export function gcraArgs(rate: Rate): [string, string] {
  const interval = Math.max(1, Math.round(60_000_000 / rate.perMinute));
  return [String(interval), String(interval * (rate.burst - 1))];
}

export type CastResult = { appended: true; id: string } | { appended: false; retryAfterMs: number };

export class BallotBox {
  private loading: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly onLoadError: (err: unknown) => void,
  ) {
    // (Re)load on every connection: after a restart Redis may have come back empty.
    redis.on('ready', () => void this.load().catch(onLoadError));
    if (redis.status === 'ready') void this.load().catch(onLoadError);
  }

  /** FUNCTION LOAD REPLACE; concurrent callers share one load. */
  load(): Promise<void> {
    this.loading ??= this.redis
      .function('LOAD', 'REPLACE', BALLOT_LIBRARY_CODE)
      .then(() => undefined)
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** Checks `limitKey` against `rate` and appends `fields` to `stream` if allowed: one round trip. */
  async cast(stream: string, limitKey: string, rate: [string, string], fields: string[]): Promise<CastResult> {
    let reply: unknown;
    try {
      reply = await this.call(stream, limitKey, rate, fields);
    } catch (err) {
      if (!isFunctionMissing(err)) throw err;
      // A Redis that restarted empty (or was flushed) between the load and this vote.
      await this.load();
      reply = await this.call(stream, limitKey, rate, fields);
    }
    if (typeof reply === 'string') return { appended: true, id: reply };
    if (typeof reply === 'number') return { appended: false, retryAfterMs: reply };
    throw new Error(`${VOTE_FUNCTION} returned ${JSON.stringify(reply)}`);
  }

  private call(stream: string, limitKey: string, rate: [string, string], fields: string[]): Promise<unknown> {
    return this.redis.fcall(VOTE_FUNCTION, 2, stream, limitKey, ...rate, ...fields);
  }
}

function isFunctionMissing(err: unknown): boolean {
  return err instanceof Error && /Function not found/i.test(err.message);
}
