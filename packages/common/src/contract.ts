/**
 * The data contract between poll, worker and result, versioned, in one place.
 *
 * poll appends a vote to the Redis stream as the flat field list of `encodeVote`; the worker
 * reads it back with `decodeVote`. The stream id Redis assigns gives the order of votes:
 * the last vote of a voter, by stream id, wins.
 */
import { BernsteinError, ErrorCode } from './errors.js';

/** Bump when the entry's shape changes; workers must keep reading every version still in streams. */
export const CONTRACT_VERSION = 1;

export interface Vote {
  readonly poll: string;
  readonly voter: string;
  readonly option: string;
  /** When poll accepted the vote, in milliseconds since the epoch. */
  readonly at: number;
}

/** Redis names derived from the configured stream name. */
export function streamNames(stream: string) {
  return {
    stream,
    group: 'workers',
    deadLetter: `${stream}:dead`,
  } as const;
}

/** PostgreSQL channel on which a commit that changes tallies announces the poll id. */
export const TALLIES_CHANNEL = 'bernstein_tallies';

/** Voter ids are random, URL-safe, and bounded (poll makes them; anything else is malformed). */
export const VOTER_ID = /^[A-Za-z0-9_-]{16,64}$/;
/** Poll and option ids. */
export const ITEM_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The XADD field list: `v 1 poll <id> voter <id> option <id> at <ms>`. */
export function encodeVote(vote: Vote): string[] {
  return ['v', String(CONTRACT_VERSION), 'poll', vote.poll, 'voter', vote.voter, 'option', vote.option, 'at', String(vote.at)];
}

function malformed(reason: string): BernsteinError {
  return new BernsteinError(ErrorCode.ENTRY_MALFORMED, `malformed stream entry: ${reason}`, 500, { reason });
}

/** Decodes a stream entry's field list; throws ENTRY_MALFORMED naming the first problem. */
export function decodeVote(fields: readonly string[]): Vote {
  if (fields.length % 2 !== 0) throw malformed('odd number of fields');
  const m = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) m.set(fields[i] as string, fields[i + 1] as string);
  const v = m.get('v');
  if (v !== String(CONTRACT_VERSION)) throw malformed(`unsupported schema version ${JSON.stringify(v ?? null)}`);
  const poll = m.get('poll');
  const voter = m.get('voter');
  const option = m.get('option');
  const at = Number(m.get('at'));
  if (poll === undefined || !ITEM_ID.test(poll)) throw malformed('bad or missing "poll"');
  if (voter === undefined || !VOTER_ID.test(voter)) throw malformed('bad or missing "voter"');
  if (option === undefined || !ITEM_ID.test(option)) throw malformed('bad or missing "option"');
  if (!Number.isSafeInteger(at) || at <= 0) throw malformed('bad or missing "at"');
  return { poll, voter, option, at };
}

/** A Redis stream id split into its two parts, kept as decimal strings (they exceed 2^53 in theory). */
export interface StreamPosition {
  readonly ms: string;
  readonly seq: string;
}

export function parseStreamId(id: string): StreamPosition {
  const match = /^(\d+)-(\d+)$/.exec(id);
  if (!match) throw malformed(`bad stream id ${JSON.stringify(id)}`);
  return { ms: match[1] as string, seq: match[2] as string };
}

/** Compares two stream ids numerically (negative if a < b). */
export function compareStreamIds(a: string, b: string): number {
  const pa = parseStreamId(a);
  const pb = parseStreamId(b);
  const ms = BigInt(pa.ms) - BigInt(pb.ms);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(pa.seq) - BigInt(pb.seq);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}
