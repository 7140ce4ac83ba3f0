/**
 * The Redis stream commands of the worker: create the consumer group, read a batch with
 * XREADGROUP, and turn Redis' nested array replies into typed entries.
 */
import type { Redis } from '@bernstein/common';

export interface StreamNames {
  readonly stream: string;
  readonly group: string;
  readonly deadLetter: string;
}

/** One stream entry. `fields` is null when the entry was deleted while still pending. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: string[] | null;
}

/** Creates the group at id 0 (so votes added before any worker ran are read too). */
export async function ensureGroup(redis: Redis, names: StreamNames): Promise<void> {
  try {
    await redis.xgroup('CREATE', names.stream, names.group, '0', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
  }
}

/** Parses a list of `[id, [field, value, …] | null]` pairs. */
export function parseEntries(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
    const fields = Array.isArray(item[1]) ? (item[1] as unknown[]).map(String) : null;
    out.push({ id: item[0], fields });
  }
  return out;
}

/**
 * XREADGROUP of at most `count` entries after `id`: `>` for new entries (blocking up to
 * `blockMs`, or not at all when 0), or an explicit id to re-read this consumer's own pending
 * entries.
 */
export async function readGroup(
  redis: Redis,
  names: StreamNames,
  consumer: string,
  id: string,
  count: number,
  blockMs: number,
): Promise<StreamEntry[]> {
  const args: (string | number)[] = ['GROUP', names.group, consumer, 'COUNT', count];
  // BLOCK only makes sense for new entries (pending ones are answered at once); 0 means do
  // not block at all here (Redis' own BLOCK 0 would wait forever).
  if (id === '>' && blockMs > 0) args.push('BLOCK', blockMs);
  args.push('STREAMS', names.stream, id);
  const reply = await redis.call('XREADGROUP', ...args);
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const first = reply[0] as unknown[];
  return parseEntries(first?.[1]);
}

/** True for the error Redis gives when the stream or group vanished (e.g. a Redis without persistence restarted). */
export function isNoGroupError(err: unknown): boolean {
  return String((err as Error | undefined)?.message ?? '').startsWith('NOGROUP');
}
