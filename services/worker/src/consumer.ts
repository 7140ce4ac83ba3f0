/**
 * The consume loop of one worker (one consumer of the group):
 *
 *   1. create the group (idempotent);
 *   2. re-read this consumer's own pending entries (id 0 onwards): what it had read but not
 *      acknowledged before it last stopped or crashed;
 *   3. then, repeatedly: a blocking XREADGROUP `>`; every CLAIM_IDLE_MS/2 an XAUTOCLAIM round
 *      for the entries of silent consumers; every `trimIntervalMs` a safe trim.
 *
 * A batch is decoded, its votes upserted in one statement, and only after that commit are its
 * entries acknowledged. A failure of PostgreSQL or Redis retries the same batch with
 * back-off, never dropping it. Everything runs in one sequential loop, so a batch is never
 * processed twice by the same worker at once and `stop()` simply lets the current batch
 * finish.
 */
import type { Database, Logger, Redis } from '@bernstein/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { prepareBatch, writePolls, writeVotes } from './batch.js';
import { claimIdle } from './claim.js';
import { acknowledge } from './dead-letter.js';
import type { WorkerMetrics } from './metrics.js';
import { ensureGroup, isNoGroupError, readGroup, type StreamEntry, type StreamNames } from './stream.js';
import { trimAcknowledged } from './trim.js';

export interface ConsumerOptions {
  redis: Redis;
  db: Database;
  logger: Logger;
  metrics: WorkerMetrics;
  names: StreamNames;
  consumer: string;
  batchSize: number;
  blockMs: number;
  claimIdleMs: number;
  /** How often acknowledged entries are trimmed from the stream; 0 turns trimming off. */
  trimIntervalMs?: number;
  backoff?: BackoffOptions;
}

export interface BatchOutcome {
  entries: number;
  written: number;
  deadLettered: number;
}

export class Consumer {
  private stopping = false;
  private running: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly trimIntervalMs: number;
  private readonly claimIntervalMs: number;
  /**
   * Set when the Redis connection comes back: a read that Redis served just before the
   * connection broke may have delivered entries whose reply never reached us; they are
   * pending for this consumer, so they are re-read at once rather than left for a claim.
   */
  private reconnected = false;
  private readonly onReady = () => {
    this.reconnected = true;
  };

  constructor(private readonly o: ConsumerOptions) {
    this.log = o.logger.child({ consumer: o.consumer, stream: o.names.stream });
    this.trimIntervalMs = o.trimIntervalMs ?? 5000;
    this.claimIntervalMs = Math.max(100, Math.floor(o.claimIdleMs / 2));
  }

  /** Starts the loop; the promise settles when the loop ends after `stop()`. */
  start(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Lets the batch in flight commit and be acknowledged, then ends the loop. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  private async loop(): Promise<void> {
    this.o.redis.on('ready', this.onReady);
    try {
      await this.consume();
    } finally {
      this.o.redis.off('ready', this.onReady);
    }
  }

  private async consume(): Promise<void> {
    await this.retrying('create group', () => ensureGroup(this.o.redis, this.o.names));
    this.log.info({ batchSize: this.o.batchSize }, 'consuming');
    let pendingCursor: string | null = '0';
    let nextClaim = Date.now();
    let nextTrim = Date.now() + this.trimIntervalMs;
    let failures = 0;
    let prefetched: StreamEntry[] | undefined;
    while (!this.stopping || prefetched !== undefined) {
      if (this.reconnected) {
        this.reconnected = false;
        pendingCursor = '0';
        prefetched = undefined; // pending for us, so re-read with the rest
      }
      try {
        if (pendingCursor !== null) {
          const entries = await readGroup(this.o.redis, this.o.names, this.o.consumer, pendingCursor, this.o.batchSize, 0);
          if (entries.length === 0) {
            pendingCursor = null;
          } else {
            this.log.info({ entries: entries.length }, 're-reading own pending entries');
            await this.processBatch(entries);
            pendingCursor = (entries.at(-1) as StreamEntry).id;
          }
        } else if (Date.now() >= nextClaim) {
          await this.claimRound();
          nextClaim = Date.now() + this.claimIntervalMs;
        } else if (this.trimIntervalMs > 0 && Date.now() >= nextTrim) {
          const removed = await trimAcknowledged(this.o.redis, this.o.names);
          this.o.metrics.trimmed.inc(removed);
          if (removed > 0) this.log.debug({ removed }, 'trimmed acknowledged entries');
          nextTrim = Date.now() + this.trimIntervalMs;
        } else {
          let entries = prefetched ?? (await readGroup(this.o.redis, this.o.names, this.o.consumer, '>', this.o.batchSize, this.o.blockMs));
          prefetched = undefined;
          // While a batch is written to PostgreSQL, the next one is already read from Redis
          // (without blocking, so the XACK queued behind it on this connection is not held
          // up). Both round trips overlap; a batch is still acknowledged only after its commit.
          while (entries.length > 0) {
            const next = this.stopping ? Promise.resolve({ entries: [] as StreamEntry[] }) : this.readAhead();
            await this.processBatch(entries);
            const read = await next;
            if ('error' in read) throw read.error;
            entries = read.entries;
            if (entries.length > 0 && (Date.now() >= nextClaim || (this.trimIntervalMs > 0 && Date.now() >= nextTrim))) {
              prefetched = entries;
              break;
            }
          }
        }
        failures = 0;
      } catch (err) {
        // Reads, claims and trims only; a batch retries inside processBatch and never lands here.
        // A failed read may still have delivered entries to us: re-read our pending list.
        pendingCursor = '0';
        prefetched = undefined;
        if (isNoGroupError(err)) {
          this.log.warn('consumer group missing; creating it again');
          await this.retrying('create group', () => ensureGroup(this.o.redis, this.o.names));
          pendingCursor = '0';
          continue;
        }
        this.o.metrics.retries.inc({ operation: 'redis read' });
        if (failures === 0) this.log.warn({ err }, 'reading the stream failed; retrying with back-off');
        await sleep(backoffDelay(failures++, this.o.backoff ?? DEFAULT_BACKOFF));
      }
    }
    this.log.info('consumer stopped');
  }

  /** A non-blocking read of the next batch; settles with the error instead of rejecting. */
  private readAhead(): Promise<{ entries: StreamEntry[] } | { error: unknown }> {
    return readGroup(this.o.redis, this.o.names, this.o.consumer, '>', this.o.batchSize, 0).then(
      (entries) => ({ entries }),
      (error: unknown) => ({ error }),
    );
  }

  /** Claims and processes every entry idle longer than CLAIM_IDLE_MS, a batch at a time. */
  private async claimRound(): Promise<void> {
    let cursor = '0-0';
    // Bounded: one pass over the pending list, at most 1000 batches, then back to new entries.
    for (let round = 0; round < 1000 && !this.stopping; round++) {
      const { next, entries } = await claimIdle(this.o.redis, this.o.names, this.o.consumer, this.o.claimIdleMs, cursor, this.o.batchSize);
      if (entries.length > 0) {
        this.o.metrics.claimed.inc(entries.length);
        this.log.info({ entries: entries.length }, 'claimed pending entries of a silent consumer');
        await this.processBatch(entries);
      }
      if (next === '0-0') return;
      cursor = next;
    }
  }

  /**
   * Commits the batch's votes, then acknowledges its entries (dead-lettering the malformed
   * ones in the same MULTI). Each step is retried until it succeeds: repeating the write is
   * harmless (the stream-id comparison makes it a no-op), and XACK is idempotent.
   */
  async processBatch(entries: readonly StreamEntry[]): Promise<BatchOutcome> {
    const started = performance.now();
    const batch = prepareBatch(entries);
    let written = 0;
    // Definitions first: result learns of a poll before the tallies of its first votes.
    if (batch.polls.length > 0) {
      await this.retrying('postgres write', () => writePolls(this.o.db, batch.polls));
      this.log.info({ polls: batch.polls.map((p) => `${p.poll}:${p.status}`) }, 'poll definitions applied');
    }
    if (batch.votes.length > 0) {
      written = await this.retrying('postgres write', () => writeVotes(this.o.db, batch.votes));
    }
    await this.retrying('redis ack', () => acknowledge(this.o.redis, this.o.names, this.o.consumer, batch.ids, batch.malformed));
    const m = this.o.metrics;
    m.votesWritten.inc(batch.valid);
    m.rowsChanged.inc(written);
    m.batches.inc();
    m.batchSize.observe(entries.length);
    m.batchSeconds.observe((performance.now() - started) / 1000);
    if (batch.malformed.length > 0) {
      m.deadLettered.inc(batch.malformed.length);
      for (const bad of batch.malformed) this.log.warn({ id: bad.id, reason: bad.reason }, 'malformed entry moved to the dead-letter stream');
    }
    return { entries: entries.length, written, deadLettered: batch.malformed.length };
  }

  /** Runs `op` until it succeeds, sleeping with capped, jittered exponential back-off. */
  private async retrying<T>(operation: string, op: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await op();
        if (attempt > 0) this.log.info({ operation, attempts: attempt + 1 }, 'recovered');
        return result;
      } catch (err) {
        this.o.metrics.retries.inc({ operation });
        // Log the first failure and then every 20th, not a line per retry.
        if (attempt % 20 === 0) this.log.warn({ err, operation, attempt }, 'failed; retrying with back-off');
        await sleep(backoffDelay(attempt, this.o.backoff ?? DEFAULT_BACKOFF));
      }
    }
  }
}
