/**
 * Claiming the pending entries of consumers that went silent (a worker that crashed or was
 * killed): XAUTOCLAIM hands entries idle longer than CLAIM_IDLE_MS to this consumer.
 */
import type { Redis } from '@bernstein/common';
import { parseEntries, type StreamEntry, type StreamNames } from './stream.js';

export interface ClaimResult {
  /** Cursor for the next call; `0-0` when the whole pending list was scanned. */
  readonly next: string;
  readonly entries: StreamEntry[];
}

export async function claimIdle(
  redis: Redis,
  names: StreamNames,
  consumer: string,
  minIdleMs: number,
  start: string,
  count: number,
): Promise<ClaimResult> {
  const reply = await redis.xautoclaim(names.stream, names.group, consumer, minIdleMs, start, 'COUNT', count);
  const next = typeof reply[0] === 'string' ? reply[0] : '0-0';
  // Redis 7 drops deleted entries from the pending list itself (third element); 6.2 returns
  // them with null fields, which the batch simply acknowledges.
  return { next, entries: parseEntries(reply[1]) };
}
