/**
 * The LISTEN side of live results: one dedicated PostgreSQL connection per instance doing
 * `LISTEN bernstein_tallies`. Every result replica runs its own, so no state is shared and no
 * sticky sessions are needed.
 *
 * - connected: LISTEN first, then read every poll once (anything committed before LISTEN is
 *   in that read; anything after arrives as a notification), then tallies are fresh;
 * - a notification for poll P asks the coalescer to re-read P (at most once per COALESCE_MS);
 * - connection lost (or a heartbeat unanswered): tallies are marked stale, and the listener
 *   reconnects with exponential back-off and jitter until PostgreSQL is back.
 * The heartbeat (`SELECT 1` on this connection) only detects half-open TCP connections; it
 * never reads tallies, so the database is not polled.
 */
import { clientConfig, POLLS_CHANNEL, rethrowExplained, TALLIES_CHANNEL, withTimeout, type Logger, type PostgresConnection } from '@bernstein/common';
import pg from 'pg';
import { Coalescer } from './coalescer.js';
import type { ResultMetrics } from './metrics.js';
import { TalliesStore } from './tallies-store.js';

export type ListenerState = 'connecting' | 'listening' | 'disconnected' | 'closed';

export interface ListenerOptions {
  connection: PostgresConnection;
  store: TalliesStore;
  coalesceMs: number;
  logger: Logger;
  metrics: ResultMetrics;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  heartbeatMs?: number;
}

export class TalliesListener {
  private client: pg.Client | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private outageLogged = false;
  private readonly coalescer: Coalescer;
  private readonly log: Logger;
  private stateValue: ListenerState = 'disconnected';

  constructor(private readonly opts: ListenerOptions) {
    this.log = opts.logger.child({ component: 'listener' });
    this.coalescer = new Coalescer(
      opts.coalesceMs,
      (poll) => opts.store.refresh(poll),
      (poll, err) => this.log.warn({ err, poll }, 'reading tallies after a notification failed'),
    );
  }

  get state(): ListenerState {
    return this.stateValue;
  }

  start(): void {
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stateValue = 'closed';
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeat);
    this.coalescer.close();
    const client = this.client;
    this.client = undefined;
    this.opts.metrics.listenerConnected.set(0);
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.stateValue = 'connecting';
    const client = new pg.Client({
      ...clientConfig(this.opts.connection, 'bernstein-result-listener'),
      keepAliveInitialDelayMillis: 10_000,
    });
    this.client = client;
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.client === client) this.client = undefined;
      this.disconnected(err);
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('connection ended')));
    client.on('notification', (msg) => {
      // A poll defined (or closed) through poll's API: read its row, then its tallies.
      if (msg.channel === POLLS_CHANNEL) {
        if (msg.payload && TalliesStore.isPollId(msg.payload))
          void this.opts.store.reloadPolls(msg.payload).catch((err: unknown) => this.log.warn({ err, poll: msg.payload }, 'reading a poll after its notification failed'));
        return;
      }
      // Only known polls: keeps the coalescer's per-key state bounded.
      if (msg.channel !== TALLIES_CHANNEL || !msg.payload || !this.opts.store.polls.get(msg.payload)) return;
      this.opts.metrics.notifications.inc();
      this.coalescer.signal(msg.payload);
    });
    try {
      await client.connect().catch(rethrowExplained);
      await client.query(`LISTEN ${TALLIES_CHANNEL}`);
      await client.query(`LISTEN ${POLLS_CHANNEL}`);
      // Polls first (a new poll's tallies are then read with the rest), then every tally.
      await this.opts.store.reloadPolls();
      await this.opts.store.reloadAll(false);
    } catch (err) {
      fail(err as Error);
      return;
    }
    if (failed || this.closed) return;
    this.attempt = 0;
    this.stateValue = 'listening';
    this.opts.metrics.listenerConnected.set(1);
    if (this.outageLogged) this.log.info('listening for tally changes again');
    else this.log.info({ channel: TALLIES_CHANNEL }, 'listening for tally changes');
    this.outageLogged = false;
    this.opts.store.setStale(false);
    this.startHeartbeat(client, fail);
  }

  private startHeartbeat(client: pg.Client, fail: (err: Error) => void): void {
    clearInterval(this.heartbeat);
    const every = this.opts.heartbeatMs ?? 15_000;
    this.heartbeat = setInterval(() => {
      if (this.client !== client) return;
      withTimeout(client.query('SELECT 1'), Math.max(1000, every / 3), 'listener heartbeat').catch((err: Error) => fail(err));
    }, every);
    this.heartbeat.unref();
  }

  private disconnected(err: Error): void {
    clearInterval(this.heartbeat);
    this.opts.metrics.listenerConnected.set(0);
    if (this.closed) return;
    this.stateValue = 'disconnected';
    this.opts.store.setStale(true);
    const min = this.opts.minBackoffMs ?? 100;
    const max = this.opts.maxBackoffMs ?? 5000;
    const delay = Math.round(Math.min(max, min * 2 ** this.attempt) * (0.8 + Math.random() * 0.4));
    this.attempt = Math.min(this.attempt + 1, 20);
    if (!this.outageLogged) {
      this.log.warn({ err, retryMs: delay }, 'PostgreSQL listener disconnected; serving last known tallies and retrying');
      this.outageLogged = true;
    } else {
      this.log.debug({ err: err.message, retryMs: delay }, 'PostgreSQL listener still disconnected');
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}
