/**
 * Vote → visible latency, measured from outside like a browser would see it.
 *
 * Re-votes do not change a poll's total, so only a voter's first acknowledged vote in a poll
 * is a sample. When that acknowledgement raises the poll's expected total (the baseline plus
 * our voters so far) to T at time t, the vote is visible at the arrival of the first SSE
 * event whose total is ≥ T; its latency is that arrival time minus t. Totals only grow while
 * we vote, so one queue per poll, ordered by T, is drained by each event.
 */
import { Samples } from './stats.js';

interface Pending {
  total: number;
  at: number;
}

class PollQueue {
  private readonly items: Pending[] = [];
  private head = 0;
  expected: number;
  lastSeen = -1;

  constructor(baseline: number) {
    this.expected = baseline;
  }

  push(item: Pending): void {
    this.items.push(item);
  }

  drain(total: number, now: number, samples: Samples): void {
    this.lastSeen = total;
    while (this.head < this.items.length && (this.items[this.head] as Pending).total <= total) {
      samples.add(now - (this.items[this.head] as Pending).at);
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }

  get waiting(): number {
    return this.items.length - this.head;
  }
}

export class Visibility {
  readonly samples = new Samples();
  private readonly polls = new Map<string, PollQueue>();

  /** The poll's total before our run started (votes already in the system). */
  baseline(poll: string, total: number): void {
    this.polls.set(poll, new PollQueue(total));
  }

  /** A first vote of a voter in `poll` was acknowledged at `at` (performance.now()). */
  acknowledged(poll: string, at: number): void {
    const q = this.polls.get(poll);
    if (!q) return;
    q.expected += 1;
    q.push({ total: q.expected, at });
    // The stream may already show it (another replica was faster than our acknowledgement).
    if (q.lastSeen >= q.expected) q.drain(q.lastSeen, at, this.samples);
  }

  /** An SSE event with `total` arrived at `now`. */
  seen(poll: string, total: number, now: number): void {
    this.polls.get(poll)?.drain(total, now, this.samples);
  }

  /** First votes not yet seen on the stream. */
  get waiting(): number {
    let n = 0;
    for (const q of this.polls.values()) n += q.waiting;
    return n;
  }
}
