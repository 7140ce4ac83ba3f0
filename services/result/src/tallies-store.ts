/**
 * Last known tallies of every configured poll, in memory, and their published snapshots.
 *
 * Nothing here has to be shared between replicas: each instance reads PostgreSQL itself when
 * its listener says a poll changed. A read costs O(options) (`tallies` has one row per
 * option). Reads that finish out of order never replace newer data (sequence numbers).
 * Subscribers (the SSE hub) hear about a poll only when its published JSON really changed.
 */
import { definitionFrom, ITEM_ID, LivePolls, type Database, type Logger, type PollCatalog, type PollDefinition } from '@bernstein/common';
import type { ResultMetrics } from './metrics.js';
import { buildResults, snapshotOf, type Snapshot, type TallyRow } from './results.js';

interface Known {
  rows: TallyRow[];
  seq: number;
}

export type UpdateListener = (poll: string, snapshot: Snapshot) => void;

export class TalliesStore {
  private readonly known = new Map<string, Known>();
  private readonly published = new Map<string, Snapshot>();
  private readonly subscribers = new Set<UpdateListener>();
  private seq = 0;
  /** Stale until the listener has connected and read everything once. */
  private staleSince: number | undefined = Date.now();
  /** Configured polls and those defined through poll's API (read from the polls table). */
  readonly polls: LivePolls;
  /** The polls readiness waits for: those of the configuration. */
  private readonly configured: readonly string[];

  constructor(
    private readonly db: Pick<Database, 'query'>,
    polls: PollCatalog,
    private readonly metrics: ResultMetrics,
    private readonly logger: Logger,
  ) {
    this.polls = polls instanceof LivePolls ? polls : new LivePolls(polls);
    this.configured = this.polls.polls.map((p) => p.id);
    metrics.setStaleSince(this.staleSince);
  }

  /**
   * Reads the polls defined through poll's API (all of them, or one after its notification)
   * and publishes the results of those that changed. A database without the table yet (an
   * older schema) or without the grant has none: logged, not fatal.
   */
  async reloadPolls(id?: string): Promise<void> {
    let rows: { id: string; definition: unknown; status: string; archived: boolean; closed_at: Date | null }[];
    try {
      const sql = 'SELECT id, definition, status, archived, closed_at FROM polls';
      rows = (id === undefined ? await this.db.query<(typeof rows)[number]>(sql) : await this.db.query<(typeof rows)[number]>(`${sql} WHERE id = $1`, [id])).rows;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '42P01' || code === '42501') {
        this.logger.warn({ code }, 'cannot read the polls table (schema older than version 3, or no SELECT grant): API polls are not shown');
        return;
      }
      throw err;
    }
    const changed: string[] = [];
    for (const row of rows) {
      let poll: PollDefinition;
      try {
        poll = definitionFrom(row.id, row.definition, { status: row.status, closedAt: row.closed_at?.toISOString() ?? null, archived: row.archived });
      } catch (err) {
        this.logger.warn({ err, poll: row.id }, 'ignoring a poll row that does not validate');
        continue;
      }
      if (this.polls.upsert(poll)) changed.push(poll.id);
    }
    // Tallies of a poll heard of for the first time may have been notified before it was known.
    if (changed.length > 0) await this.read(changed, true);
  }

  /** True for an id that could name a poll (notifications are bounded to those). */
  static isPollId(id: string): boolean {
    return ITEM_ID.test(id);
  }

  get stale(): boolean {
    return this.staleSince !== undefined;
  }

  /** The current snapshot of a configured poll; undefined for an unknown poll id. */
  snapshot(pollId: string): Snapshot | undefined {
    const existing = this.published.get(pollId);
    if (existing) return existing;
    const poll = this.polls.get(pollId);
    if (!poll) return undefined;
    const snap = snapshotOf(buildResults(poll, this.known.get(pollId)?.rows ?? [], true));
    this.published.set(pollId, snap);
    return snap;
  }

  /** True once the poll's tallies have been read at least once (possibly stale since). */
  hasData(pollId: string): boolean {
    return this.known.has(pollId);
  }

  /** True once every configured poll has been read at least once. */
  get loaded(): boolean {
    return this.configured.every((id) => this.known.has(id));
  }

  onUpdate(listener: UpdateListener): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /** Reads one poll's tallies and publishes them if they changed. */
  async refresh(pollId: string): Promise<void> {
    await this.read([pollId], true);
  }

  /** Reads every configured poll in one query; `publish: false` lets a caller publish later. */
  async reloadAll(publish = true): Promise<void> {
    await this.read(
      this.polls.polls.map((p) => p.id),
      publish,
    );
  }

  /** Marks the served tallies stale (PostgreSQL away) or fresh again, and publishes the change. */
  setStale(stale: boolean): void {
    if (stale !== this.stale) {
      this.staleSince = stale ? Date.now() : undefined;
      this.metrics.setStaleSince(this.staleSince);
      this.logger.info({ stale }, stale ? 'tallies are stale: serving last known values' : 'tallies are fresh');
    }
    // Publishing is cheap when nothing changed (same JSON is not sent again), and after a
    // reloadAll(false) it is what sends the fresh values.
    for (const p of this.polls.polls) this.publish(p.id);
  }

  private async read(pollIds: string[], publish: boolean): Promise<void> {
    const known = pollIds.filter((id) => this.polls.get(id) !== undefined);
    if (known.length === 0) return;
    const seq = ++this.seq;
    const started = performance.now();
    let rows: { poll: string; option: string; votes: string; updated_at: Date }[];
    try {
      const result =
        known.length === 1
          ? await this.db.query<{ poll: string; option: string; votes: string; updated_at: Date }>(
              'SELECT poll, option, votes, updated_at FROM tallies WHERE poll = $1',
              known,
            )
          : await this.db.query<{ poll: string; option: string; votes: string; updated_at: Date }>(
              'SELECT poll, option, votes, updated_at FROM tallies WHERE poll = ANY($1::text[])',
              [known],
            );
      rows = result.rows;
      this.metrics.talliesReads.inc({ outcome: 'ok' });
    } catch (err) {
      this.metrics.talliesReads.inc({ outcome: 'error' });
      throw err;
    } finally {
      this.metrics.talliesReadSeconds.observe((performance.now() - started) / 1000);
    }
    const byPoll = new Map<string, TallyRow[]>(known.map((id) => [id, []]));
    for (const r of rows) byPoll.get(r.poll)?.push({ option: r.option, votes: Number(r.votes), updatedAt: r.updated_at });
    for (const [id, pollRows] of byPoll) {
      const previous = this.known.get(id);
      if (previous && previous.seq > seq) continue; // a newer read already landed
      this.known.set(id, { rows: pollRows, seq });
      if (publish) this.publish(id);
    }
  }

  private publish(pollId: string): void {
    const poll = this.polls.get(pollId);
    if (!poll) return;
    const known = this.known.get(pollId);
    const snap = snapshotOf(buildResults(poll, known?.rows ?? [], this.stale || known === undefined));
    if (this.published.get(pollId)?.json === snap.json) return;
    this.published.set(pollId, snap);
    for (const s of this.subscribers) s(pollId, snap);
  }
}
