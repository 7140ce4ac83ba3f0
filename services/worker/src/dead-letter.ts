/**
 * Acknowledging a batch. Malformed entries are copied to the dead-letter stream (original id,
 * original fields, reason) in the same MULTI as the XACK of the whole batch, so an entry is
 * never acknowledged without its dead-letter copy, and one bad entry never blocks the stream.
 */
import type { Redis } from '@bernstein/common';
import type { MalformedEntry } from './batch.js';
import type { StreamNames } from './stream.js';

/** The dead-letter entry: fields are kept as JSON so any shape (odd lists included) survives. */
export function deadLetterFields(entry: MalformedEntry, consumer: string): string[] {
  return [
    'id', entry.id,
    'reason', entry.reason,
    'fields', JSON.stringify(entry.fields ?? []),
    'consumer', consumer,
  ];
}

/** XACKs `ids` (after their votes were committed) and dead-letters `malformed`, atomically. */
export async function acknowledge(
  redis: Redis,
  names: StreamNames,
  consumer: string,
  ids: readonly string[],
  malformed: readonly MalformedEntry[],
): Promise<void> {
  if (ids.length === 0) return;
  if (malformed.length === 0) {
    await redis.xack(names.stream, names.group, ...ids);
    return;
  }
  const tx = redis.multi();
  for (const entry of malformed) tx.xadd(names.deadLetter, '*', ...deadLetterFields(entry, consumer));
  tx.xack(names.stream, names.group, ...ids);
  const replies = await tx.exec();
  const failed = replies?.find(([err]) => err !== null);
  if (replies === null) throw new Error('redis MULTI was aborted');
  if (failed) throw failed[0] as Error;
}
