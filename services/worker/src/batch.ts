/**
 * Turning a batch of stream entries into one SQL statement.
 *
 * Entries are decoded with the shared contract; malformed ones are set aside for the
 * dead-letter stream. Valid votes are deduplicated per (poll, voter), keeping the highest
 * stream id, because one INSERT … ON CONFLICT may not touch the same row twice. The upsert
 * only replaces a stored vote whose stream id is smaller, so applying an entry again (a
 * redelivery after a crash between COMMIT and XACK) or an older entry after a newer one
 * changes nothing: the order Redis gave the votes decides, not the order they arrive in.
 */
import { decodePollEntry, decodeVote, isPollEntry, type PollEntry, type Queryable } from '@bernstein/common';
import type { StreamEntry } from './stream.js';

export interface BatchVote {
  readonly id: string;
  readonly ms: string;
  readonly seq: string;
  readonly poll: string;
  readonly voter: string;
  readonly option: string;
  readonly at: number;
}

export interface MalformedEntry {
  readonly id: string;
  readonly fields: string[] | null;
  readonly reason: string;
}

export interface PreparedBatch {
  /** Votes to write, one per (poll, voter), sorted by (poll, voter). */
  readonly votes: BatchVote[];
  readonly malformed: MalformedEntry[];
  /** Every id of the batch: all of them are acknowledged once the votes are committed. */
  readonly ids: string[];
  /** Valid entries in the batch (before deduplication). */
  readonly valid: number;
  /** Poll definitions (control entries of poll's admin API), in stream order. */
  readonly polls: BatchPoll[];
}

export interface BatchPoll extends PollEntry {
  readonly ms: string;
  readonly seq: string;
}

/** Compares two non-negative decimal strings without leading zeros (stream id parts). */
function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numeric comparison of two stream ids given as parts; exact beyond 2^53. */
export function compareParts(a: { ms: string; seq: string }, b: { ms: string; seq: string }): number {
  return compareDecimal(a.ms, b.ms) || compareDecimal(a.seq, b.seq);
}

export function prepareBatch(entries: readonly StreamEntry[]): PreparedBatch {
  const latest = new Map<string, BatchVote>();
  const malformed: MalformedEntry[] = [];
  const ids: string[] = [];
  const polls: BatchPoll[] = [];
  let valid = 0;
  for (const entry of entries) {
    ids.push(entry.id);
    if (entry.fields === null) continue; // deleted while pending: nothing to write, only to acknowledge
    const dash = entry.id.indexOf('-');
    let vote;
    try {
      if (dash <= 0 || !/^\d+-\d+$/.test(entry.id)) throw new Error(`bad stream id ${JSON.stringify(entry.id)}`);
      if (isPollEntry(entry.fields)) {
        polls.push({ ms: entry.id.slice(0, dash), seq: entry.id.slice(dash + 1), ...decodePollEntry(entry.fields) });
        continue;
      }
      vote = decodeVote(entry.fields);
    } catch (err) {
      malformed.push({ id: entry.id, fields: entry.fields, reason: (err as Error).message });
      continue;
    }
    valid++;
    const candidate: BatchVote = { id: entry.id, ms: entry.id.slice(0, dash), seq: entry.id.slice(dash + 1), ...vote };
    // Poll and voter ids cannot contain a NUL byte (contract regexes), so the key is unambiguous.
    const key = `${vote.poll}\u0000${vote.voter}`;
    const seen = latest.get(key);
    if (seen === undefined || compareParts(candidate, seen) > 0) latest.set(key, candidate);
  }
  // A fixed row order makes concurrent workers lock rows in the same order: no deadlocks.
  const votes = [...latest.values()].sort((a, b) =>
    a.poll === b.poll ? (a.voter < b.voter ? -1 : a.voter > b.voter ? 1 : 0) : a.poll < b.poll ? -1 : 1,
  );
  return { votes, malformed, ids, valid, polls };
}

/**
 * Applies poll definitions in stream order: a row changes only for an entry with a larger
 * stream id, so a redelivered or older entry never undoes a close.
 */
export const UPSERT_POLL_SQL = `
  INSERT INTO polls (id, definition, status, archived, closed_at, changed_at, stream_ms, stream_seq)
  VALUES ($1, $2::jsonb, $3, $4, to_timestamp($8::double precision / 1000), to_timestamp($5::double precision / 1000), $6, $7)
  ON CONFLICT (id) DO UPDATE
    SET definition = excluded.definition, status = excluded.status, archived = excluded.archived,
        closed_at = COALESCE(polls.closed_at, excluded.closed_at), changed_at = excluded.changed_at,
        stream_ms = excluded.stream_ms, stream_seq = excluded.stream_seq
    WHERE (excluded.stream_ms, excluded.stream_seq) > (polls.stream_ms, polls.stream_seq)`;

/** Writes the batch's poll definitions, one statement each (they are rare; each is idempotent). */
export async function writePolls(db: Queryable, polls: readonly BatchPoll[]): Promise<number> {
  let changed = 0;
  for (const p of polls) {
    const closedAt = p.status === 'closed' ? (p.closedAt ?? p.at) : null;
    const result = await db.query(UPSERT_POLL_SQL, [p.poll, p.def, p.status, p.archived, p.at, p.ms, p.seq, closedAt]);
    changed += result.rowCount ?? 0;
  }
  return changed;
}

/**
 * One multi-row statement for the whole batch; as a single statement it is one transaction
 * (PostgreSQL commits it before answering), so no BEGIN/COMMIT round trips are needed. The
 * tally triggers run inside it and their NOTIFY is delivered at commit.
 */
export const UPSERT_VOTES_SQL = `
  INSERT INTO votes (poll, voter, option, stream_ms, stream_seq, voted_at)
  SELECT poll, voter, option, ms, seq, to_timestamp(at::double precision / 1000)
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[]) AS b(poll, voter, option, ms, seq, at)
  ON CONFLICT (poll, voter) DO UPDATE
    SET option = excluded.option, stream_ms = excluded.stream_ms, stream_seq = excluded.stream_seq,
        voted_at = excluded.voted_at, recorded_at = now()
    WHERE (excluded.stream_ms, excluded.stream_seq) > (votes.stream_ms, votes.stream_seq)`;

/** Writes the votes; returns how many rows were inserted or replaced. */
export async function writeVotes(db: Queryable, votes: readonly BatchVote[]): Promise<number> {
  if (votes.length === 0) return 0;
  const polls: string[] = [];
  const voters: string[] = [];
  const options: string[] = [];
  const ms: string[] = [];
  const seq: string[] = [];
  const at: number[] = [];
  for (const v of votes) {
    polls.push(v.poll);
    voters.push(v.voter);
    options.push(v.option);
    ms.push(v.ms);
    seq.push(v.seq);
    at.push(v.at);
  }
  const result = await db.query(UPSERT_VOTES_SQL, [polls, voters, options, ms, seq, at]);
  return result.rowCount ?? 0;
}
