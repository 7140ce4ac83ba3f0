/**
 * Trimming the stream without ever losing a vote: XTRIM MINID only below the smallest id the
 * group still needs, i.e. the smallest pending (delivered, not acknowledged) id, or, when
 * nothing is pending, the first id after the group's last-delivered-id. Both are read in one
 * MULTI, so they describe one moment; afterwards that bound can only move up (new entries
 * get larger ids; acknowledgements only shrink the pending list), so trimming later is safe.
 */
import type { Redis } from '@bernstein/common';
import type { StreamNames } from './stream.js';

/** Turns Redis' flat `[key, value, key, value, …]` reply into an object. */
export function pairs(raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(raw)) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i])] = raw[i + 1];
  return out;
}

/** The id right after `id` (ms-seq → ms-(seq+1)). */
export function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${(BigInt(seq ?? '0') + 1n).toString()}`;
}

export interface GroupState {
  lastDeliveredId: string;
  pending: number;
  /** Entries not yet delivered to the group (Redis 7), null when Redis cannot tell. */
  lag: number | null;
  smallestPendingId: string | null;
}

/** The group's state in one atomic snapshot; null when the group does not exist. */
export async function groupState(redis: Redis, names: StreamNames): Promise<GroupState | null> {
  const replies = await redis.multi().call('XINFO', 'GROUPS', names.stream).call('XPENDING', names.stream, names.group).exec();
  if (replies === null) throw new Error('redis MULTI was aborted');
  const [[infoErr, info], [pendingErr, summary]] = replies as [[Error | null, unknown], [Error | null, unknown]];
  if (infoErr) {
    if (/no such key/i.test(infoErr.message)) return null;
    throw infoErr;
  }
  const group = (info as unknown[]).map(pairs).find((g) => g.name === names.group);
  if (group === undefined) return null;
  if (pendingErr) throw pendingErr;
  const s = summary as [number, string | null, string | null, unknown];
  const lag = group.lag;
  return {
    lastDeliveredId: String(group['last-delivered-id']),
    pending: Number(s[0]),
    lag: typeof lag === 'number' ? lag : null,
    smallestPendingId: s[0] > 0 && typeof s[1] === 'string' ? s[1] : null,
  };
}

/** The MINID below which every entry has been acknowledged by the group. */
export function safeMinId(state: GroupState): string {
  return state.smallestPendingId ?? nextId(state.lastDeliveredId);
}

/** Trims acknowledged entries; returns how many were removed. */
export async function trimAcknowledged(redis: Redis, names: StreamNames): Promise<number> {
  const state = await groupState(redis, names);
  if (state === null) return 0;
  return Number(await redis.xtrim(names.stream, 'MINID', safeMinId(state)));
}
