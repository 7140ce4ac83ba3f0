/**
 * Send: keeps up to `concurrency` votes in flight, retries refused votes (same voter, same
 * option) until acknowledged, and counts every outcome. It stops taking new votes when the
 * count, the duration (unless hooks.extendLoad asks for more) or the abort signal says so,
 * and finishes once nothing is in flight and no retry is due (or the retry window closed).
 */
import type { Oracle } from './oracle.js';
import { parseReceipt } from './receipt.js';
import type { LoadHooks, LoadOptions, Progress } from './runner.js';
import type { VoteSchedule } from './schedule.js';
import { Samples } from './stats.js';
import type { Visibility } from './visibility.js';
import type { VoteClient, VoteOutcome } from './vote-client.js';

/** Answers after which the vote's fate is unknown, so it is sent again. */
const RETRYABLE = new Set([0, 429, 502, 503, 504]);

interface Retry {
  readonly voter: number;
  readonly poll: string;
  readonly option: string;
  readonly due: number;
}

export interface SendCounts {
  sent: number;
  acknowledged: number;
  firstVotes: number;
  refused: number;
  rejected: number;
  cookieChanges: number;
  refusedWithoutIdentity: number;
  readonly refusedBy: Record<string, number>;
  readonly rejectedBy: Record<string, number>;
}

export interface SendOutcome {
  readonly counts: SendCounts;
  readonly loadMs: number;
  readonly abandoned: number;
  readonly cpu: NodeJS.CpuUsage;
  readonly requestLatency: Samples;
}

type SenderOptions = Pick<LoadOptions, 'voters' | 'concurrency' | 'durationMs' | 'votes' | 'retryWindowMs'>;

export class Sender {
  readonly counts: SendCounts = {
    sent: 0,
    acknowledged: 0,
    firstVotes: 0,
    refused: 0,
    rejected: 0,
    cookieChanges: 0,
    refusedWithoutIdentity: 0,
    refusedBy: {},
    rejectedBy: {},
  };
  private readonly cookies: (string | undefined)[];
  private readonly busy: Uint8Array;
  private readonly retries: Retry[] = [];
  private readonly requestLatency = new Samples();
  private inFlight = 0;
  private stopped = false;
  private t0 = 0;
  private loadEnd = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: SenderOptions,
    private readonly client: VoteClient,
    private readonly schedule: VoteSchedule,
    private readonly oracle: Oracle,
    private readonly visibility: Visibility,
    private readonly hooks: LoadHooks,
  ) {
    this.cookies = new Array<string | undefined>(options.voters).fill(undefined);
    this.busy = new Uint8Array(options.voters);
  }

  /** Sends until the run's end, then resolves once every vote has an outcome. */
  async run(): Promise<SendOutcome> {
    this.hooks.loadStarting?.();
    this.t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const ticker = setInterval(() => this.tick(), 5);
    const done = new Promise<void>((resolve) => (this.wake = () => this.finished() && resolve()));
    this.pump();
    await done;
    clearInterval(ticker);
    return {
      counts: this.counts,
      loadMs: this.loadEnd - this.t0,
      abandoned: this.retries.length,
      cpu: process.cpuUsage(cpu0),
      requestLatency: this.requestLatency,
    };
  }

  progress(phase: Progress['phase']): Omit<Progress, 'rate'> {
    return {
      phase,
      elapsedMs: performance.now() - this.t0,
      sent: this.counts.sent,
      acknowledged: this.counts.acknowledged,
      inFlight: this.inFlight,
      refused: this.counts.refused,
      retrying: this.retries.length,
      notYetVisible: this.visibility.waiting,
    };
  }

  get sending(): boolean {
    return !this.stopped;
  }

  private finished(): boolean {
    const now = performance.now();
    return this.stopped && this.inFlight === 0 && (this.retries.length === 0 || now - this.loadEnd > this.options.retryWindowMs);
  }

  private tick(): void {
    const now = performance.now();
    if (!this.stopped) {
      const byCount = this.options.votes !== undefined && this.counts.sent >= this.options.votes;
      const byTime = this.options.durationMs !== undefined && now - this.t0 >= this.options.durationMs && !this.hooks.extendLoad?.();
      if (byCount || byTime || this.hooks.signal?.aborted) {
        this.stopped = true;
        this.loadEnd = now;
      }
    }
    // Retries are due by time; keep them sorted cheaply (few at a time).
    if (this.retries.length > 1) this.retries.sort((a, b) => a.due - b.due);
    this.pump();
    if (this.finished()) this.wake?.();
  }

  private pump(): void {
    const now = performance.now();
    while (this.inFlight < this.options.concurrency) {
      const retry = this.retries[0];
      if (retry && retry.due <= now) {
        this.retries.shift();
        this.launch(retry.voter, retry.poll, retry.option);
        continue;
      }
      if (this.stopped || !this.schedule.mayStart(this.counts.sent, now - this.t0)) break;
      const ballot = this.schedule.next(this.busy);
      if (!ballot) break;
      this.counts.sent++;
      this.launch(ballot.voter, ballot.poll, ballot.option);
    }
  }

  private launch(voter: number, poll: string, option: string): void {
    this.busy[voter] = 1;
    this.inFlight++;
    const began = performance.now();
    void this.client.vote(poll, option, this.cookies[voter]).then((outcome) => this.complete(voter, poll, option, began, outcome));
  }

  private complete(voter: number, poll: string, option: string, began: number, outcome: VoteOutcome): void {
    this.inFlight--;
    const now = performance.now();
    const c = this.counts;
    if (outcome.cookie && outcome.cookie !== this.cookies[voter]) {
      if (this.cookies[voter] !== undefined) c.cookieChanges++;
      this.cookies[voter] = outcome.cookie;
    }
    const receipt = outcome.status === 202 ? parseReceipt(outcome.receipt) : undefined;
    if (receipt && outcome.receipt !== undefined) {
      c.acknowledged++;
      this.requestLatency.add(now - began);
      this.hooks.onAcknowledged?.({ poll, voter, option, receipt: outcome.receipt });
      if (this.oracle.record(poll, voter, option, receipt)) {
        c.firstVotes++;
        this.visibility.acknowledged(poll, now);
      }
      this.busy[voter] = 0;
    } else if (RETRYABLE.has(outcome.status)) {
      // Not acknowledged: it may or may not be in the stream. Sending the same vote again
      // until it is acknowledged makes the outcome certain either way (the retry is later).
      c.refused++;
      if (this.cookies[voter] === undefined) c.refusedWithoutIdentity++;
      const key = outcome.error ?? String(outcome.status);
      c.refusedBy[key] = (c.refusedBy[key] ?? 0) + 1;
      this.retries.push({ voter, poll, option, due: now + Math.min(2000, Math.max(100, outcome.retryAfterMs ?? 250)) });
    } else {
      c.rejected++;
      const key = outcome.error ?? `HTTP ${outcome.status}`;
      c.rejectedBy[key] = (c.rejectedBy[key] ?? 0) + 1;
      this.busy[voter] = 0;
    }
    this.pump();
    if (this.inFlight === 0 && this.finished()) this.wake?.();
  }
}
