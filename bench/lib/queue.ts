/**
 * Queued votes for the drain benchmark: fills a stream with N encoded votes (a share of them
 * re-votes of earlier voters), and waits until a consumer group has read and acknowledged
 * every entry up to the last one.
 */
import { encodeVote, type Redis } from '@bernstein/common';

export interface FilledQueue {
  lastId: string;
  /** Distinct voters: the rows the votes table must end with. */
  voters: number;
}

const OPTIONS = ['a', 'b', 'c', 'd'];

/** A valid voter id (contract VOTER_ID: 16–64 of [A-Za-z0-9_-]), unique per prefix and index. */
export function voterId(prefix: string, i: number): string {
  return `${prefix}${i.toString(36).padStart(16, '0')}`;
}

export async function fillStream(redis: Redis, stream: string, total: number, revoteShare: number, prefix: string): Promise<FilledQueue> {
  let voters = 0;
  let lastId = '';
  const at = Date.now();
  for (let i = 0; i < total; i += 1000) {
    const pipe = redis.pipeline();
    for (let j = i; j < Math.min(total, i + 1000); j++) {
      const revote = voters > 0 && Math.random() < revoteShare;
      const voter = voterId(prefix, revote ? Math.floor(Math.random() * voters) : voters++);
      pipe.xadd(stream, '*', ...encodeVote({ poll: 'default', voter, option: OPTIONS[j % 4] as string, at }));
    }
    const replies = (await pipe.exec()) ?? [];
    const last = replies.at(-1);
    if (!last || last[0]) throw new Error(`XADD failed: ${String(last?.[0])}`);
    lastId = last[1] as string;
  }
  return { lastId, voters };
}

interface GroupInfo {
  name: string;
  pending: number;
  lastDeliveredId: string;
}

export async function groupInfo(redis: Redis, stream: string, group: string): Promise<GroupInfo | undefined> {
  const raw = (await redis.call('XINFO', 'GROUPS', stream)) as unknown[][];
  for (const g of raw) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < g.length; i += 2) o[String(g[i])] = g[i + 1];
    if (o.name === group) return { name: group, pending: Number(o.pending), lastDeliveredId: String(o['last-delivered-id']) };
  }
  return undefined;
}

/** Resolves when `group` has delivered everything up to `lastId` and nothing is pending. */
export async function waitDrained(redis: Redis, stream: string, group: string, lastId: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const g = await groupInfo(redis, stream, group);
    if (g && g.lastDeliveredId === lastId && g.pending === 0) return;
    if (performance.now() > deadline) throw new Error(`the worker did not drain ${stream} within ${timeoutMs} ms (${JSON.stringify(g)})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
