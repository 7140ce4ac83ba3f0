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
 * Persistence: the vote's own writes (the entry, an access code's binding) go to the AOF like
 * any command, but the limit key's update does not (`redis.set_repl(redis.REPL_NONE)`): rate
 * state is not worth a disk write on every vote. Measured with `appendfsync always` (as
 * shipped), writing it made every vote two commands wrapped in MULTI/EXEC in the AOF instead of
 * one XADD, and poll's throughput fell by about a third (bench/README.md). The price: a Redis
 * restart forgets the budgets, so every address and voter starts afresh, at most one burst
 * more per restart (docs/security.md).
 *
 * Loading: functions survive a restart when Redis persists them (AOF, as shipped) but not a
 * fresh, empty Redis, nor FUNCTION FLUSH. So the library is loaded (FUNCTION LOAD REPLACE,
 * idempotent) whenever the connection becomes ready, and once more if a call still finds no
 * function. The version is in the library's and the function's names: replicas of two
 * releases mid-rollout each call their own version, and REPLACE never swaps the code under
 * the other. Bump it whenever the code changes.
 */
import { CONTRACT_VERSION, type Redis } from '@bernstein/common';

export const BALLOT_LIBRARY_VERSION = 3;
export const BALLOT_LIBRARY = `bernstein_ballot_v${BALLOT_LIBRARY_VERSION}`;
export const VOTE_FUNCTION = `bernstein_vote_v${BALLOT_LIBRARY_VERSION}`;
export const DEFINE_FUNCTION = `bernstein_poll_define_v${BALLOT_LIBRARY_VERSION}`;
export const CLOSE_FUNCTION = `bernstein_poll_close_v${BALLOT_LIBRARY_VERSION}`;
export const CODES_FUNCTION = `bernstein_poll_codes_v${BALLOT_LIBRARY_VERSION}`;

/** Refusals of the functions, as error replies: `BERNSTEIN <code>`. */
export const REFUSAL = /^BERNSTEIN ([A-Z_]+)/;

/**
 * vote: KEYS[1] the stream, KEYS[2] the limit key; for an API poll also KEYS[3] the poll's
 * state hash, KEYS[4] its codes hash (code hash → '' or the voter it is bound to) and KEYS[5]
 * its voters hash (voter → code hash). A poll of the configuration has no state in Redis (it
 * is always open), so it is called with the first two keys only. ARGV[1] the interval and
 * ARGV[2] the tolerance, both in microseconds, ARGV[3] the poll, ARGV[4] the voter, ARGV[5]
 * the option, and for an API poll ARGV[6] the code's hash or ''.
 * Returns the stream id (a string) when the vote was appended, the number of milliseconds to
 * wait (an integer, ≥ 1) when the rate limit refused it, or an error `BERNSTEIN <code>` when
 * the poll refused it; nothing is written unless the vote is appended.
 *
 * The function writes the entry itself, in the contract's field list (contract.ts,
 * `encodeVote`), with `at` from Redis's clock: the vote path sends five short values instead
 * of the ten of a field list (this call is the hot path: fewer arguments are fewer bytes to
 * build, write and parse, measured in bench/README.md).
 *
 * The poll's state is read here, inside the function, so a close (another function on the
 * same Redis) and every vote are in one order: a vote appended before the close counts, a
 * vote after it is refused; the closing time is compared with Redis's own clock.
 */
export const BALLOT_LIBRARY_CODE = `#!lua name=${BALLOT_LIBRARY}
local function now_us()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000000 + tonumber(time[2])
end

local function refuse(code)
  return redis.error_reply('BERNSTEIN ' .. code)
end

local function vote(keys, args)
  local interval = tonumber(args[1])
  local tolerance = tonumber(args[2])
  local now = now_us()
  local bind = false
  if #keys == 5 then
    local state = redis.call('HMGET', keys[3], 'status', 'closes', 'access')
    if not state[1] then return refuse('POLL_NOT_FOUND') end
    if state[1] == 'closed' then return refuse('POLL_CLOSED') end
    if state[2] and state[2] ~= '' and now >= tonumber(state[2]) * 1000 then return refuse('POLL_CLOSED') end
    if state[3] == 'codes' and redis.call('HEXISTS', keys[5], args[4]) == 0 then
      if args[6] == '' then return refuse('ACCESS_CODE_REQUIRED') end
      local holder = redis.call('HGET', keys[4], args[6])
      if not holder then return refuse('ACCESS_CODE_UNKNOWN') end
      if holder ~= '' and holder ~= args[4] then return refuse('ACCESS_CODE_USED') end
      bind = true
    end
  end
  local tat = tonumber(redis.call('GET', keys[2]))
  if tat == nil or tat < now then tat = now end
  local wait = tat - tolerance - now
  if wait > 0 then
    return math.ceil(wait / 1000)
  end
  -- Append first: if XADD fails (wrong key type, out of memory), no budget is spent.
  local id = redis.call('XADD', keys[1], '*', 'v', '${CONTRACT_VERSION}', 'poll', args[3], 'voter', args[4], 'option', args[5],
    'at', string.format('%.0f', math.floor(now / 1000)))
  if bind then
    redis.call('HSET', keys[4], args[6], args[4])
    redis.call('HSET', keys[5], args[4], args[6])
  end
  -- The limit's state is kept in memory only: not written to the AOF (nor to replicas).
  -- See "Persistence" above.
  redis.set_repl(redis.REPL_NONE)
  local next_tat = tat + interval
  redis.call('SET', keys[2], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
  return id
end

-- define: KEYS[1] the stream, KEYS[2] the index set of API polls, KEYS[3] the poll's state
-- hash. ARGV[1] the id, ARGV[2] the definition (JSON), ARGV[3] the closing time in ms or '',
-- ARGV[4] the access mode, ARGV[5] the change channel. Returns the control entry's id.
local function define(keys, args)
  if redis.call('EXISTS', keys[3]) == 1 then return refuse('POLL_EXISTS') end
  local now = math.floor(now_us() / 1000)
  redis.call('HSET', keys[3], 'def', args[2], 'status', 'open', 'closes', args[3], 'access', args[4], 'closedAt', '', 'archived', '0')
  redis.call('SADD', keys[2], args[1])
  local id = redis.call('XADD', keys[1], '*', 'v', '1', 'kind', 'poll', 'poll', args[1], 'status', 'open', 'archived', '0', 'def', args[2], 'at', tostring(now))
  redis.call('PUBLISH', args[5], args[1])
  return id
end

-- close: KEYS[1] the stream, KEYS[2] the poll's state hash. ARGV[1] the id, ARGV[2] the
-- change channel, ARGV[3] '1' to archive too. Idempotent: closing a closed poll changes
-- nothing (archiving it still archives). Returns the closing time in ms.
local function close(keys, args)
  local state = redis.call('HMGET', keys[2], 'def', 'status', 'closes', 'closedAt', 'archived')
  if not state[1] then return refuse('POLL_NOT_FOUND') end
  local archive = args[3] == '1' and state[5] ~= '1'
  if state[2] == 'closed' and not archive then return tonumber(state[4]) end
  local now = math.floor(now_us() / 1000)
  local closed_at = state[4]
  if state[2] ~= 'closed' then
    closed_at = tostring(now)
    -- Past its closing time, the poll closed then (votes were refused since).
    if state[3] and state[3] ~= '' and tonumber(state[3]) < now then closed_at = state[3] end
  end
  local archived = (archive or state[5] == '1') and '1' or '0'
  redis.call('HSET', keys[2], 'status', 'closed', 'closedAt', closed_at, 'archived', archived)
  redis.call('XADD', keys[1], '*', 'v', '1', 'kind', 'poll', 'poll', args[1], 'status', 'closed', 'archived', archived, 'closedAt', closed_at, 'def', state[1], 'at', tostring(now))
  redis.call('PUBLISH', args[2], args[1])
  return tonumber(closed_at)
end

-- codes: KEYS[1] the poll's state hash, KEYS[2] its codes hash. ARGV the code hashes.
-- Returns how many were added.
local function codes(keys, args)
  local access = redis.call('HGET', keys[1], 'access')
  if not access then return refuse('POLL_NOT_FOUND') end
  if access ~= 'codes' then return refuse('POLL_NOT_CODES') end
  local added = 0
  for i = 1, #args do added = added + redis.call('HSETNX', keys[2], args[i], '') end
  return added
end

redis.register_function('${VOTE_FUNCTION}', vote)
redis.register_function('${DEFINE_FUNCTION}', define)
redis.register_function('${CLOSE_FUNCTION}', close)
redis.register_function('${CODES_FUNCTION}', codes)
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

export type CastResult = { appended: true; id: string } | { appended: false; retryAfterMs: number } | { refused: string };

/** One vote and where it goes: the poll's Redis keys (API polls only), the limit key, the code's hash. */
export interface Ballot {
  readonly stream: string;
  readonly limitKey: string;
  /** The poll's state keys when it is an API poll; undefined for a poll of the configuration. */
  readonly pollKeys: PollKeys | undefined;
  readonly poll: string;
  readonly voter: string;
  readonly option: string;
  /** The access code's hash, or '' (API polls only). */
  readonly codeHash: string;
}

/** The Redis keys of one API poll (beside the stream, like the limit keys). */
export interface PollKeys {
  readonly state: string;
  readonly codes: string;
  readonly voters: string;
}

export function pollKeys(stream: string, poll: string): PollKeys {
  const base = `${stream}:poll:${poll}`;
  return { state: base, codes: `${base}:codes`, voters: `${base}:voters` };
}

/** The set of API poll ids, and the channel on which every change of a poll is announced. */
export function pollIndexKey(stream: string): string {
  return `${stream}:polls`;
}
export function pollChannel(stream: string): string {
  return `${stream}:polls`;
}

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

  /** Checks the poll's state, the code and `rate`, and appends the vote if allowed: one round trip. */
  cast(b: Ballot, rate: readonly [string, string]): Promise<CastResult> {
    const k = b.pollKeys;
    // One flat argument list, and no async frames of its own: this runs once per vote.
    return this.run(
      k === undefined
        ? [VOTE_FUNCTION, 2, b.stream, b.limitKey, rate[0], rate[1], b.poll, b.voter, b.option]
        : [VOTE_FUNCTION, 5, b.stream, b.limitKey, k.state, k.codes, k.voters, rate[0], rate[1], b.poll, b.voter, b.option, b.codeHash],
    ).then(castResult);
  }

  /**
   * Calls one of the library's functions, `fcall` being FCALL's arguments (function, numkeys,
   * keys, args). A refusal (`BERNSTEIN <code>`) resolves as a Refusal, anything else that
   * fails rejects. Loads the library once more if Redis lacks it.
   */
  run(fcall: (string | number)[]): Promise<unknown> {
    return this.redis.call('FCALL', fcall).then(undefined, async (err: unknown) => {
      if (!isFunctionMissing(err)) return refusalOf(err);
      // A Redis that restarted empty (or was flushed) between the load and this call.
      await this.load();
      return this.redis.call('FCALL', fcall).catch(refusalOf);
    });
  }
}

function castResult(reply: unknown): CastResult {
  if (typeof reply === 'string') return { appended: true, id: reply };
  if (typeof reply === 'number') return { appended: false, retryAfterMs: reply };
  if (reply instanceof Refusal) return { refused: reply.code };
  throw new Error(`${VOTE_FUNCTION} returned ${JSON.stringify(reply)}`);
}

/** A function's refusal: its code (POLL_CLOSED, ACCESS_CODE_USED, …). */
export class Refusal {
  constructor(readonly code: string) {}
}

function refusalOf(err: unknown): Refusal {
  const match = err instanceof Error ? REFUSAL.exec(err.message) : null;
  if (match === null) throw err;
  return new Refusal(match[1] as string);
}

function isFunctionMissing(err: unknown): boolean {
  return err instanceof Error && /Function not found/i.test(err.message);
}
