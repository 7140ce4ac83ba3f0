/**
 * The polls defined through the admin API, as this poll replica knows them
 * (docs/adr/0005-poll-definitions.md).
 *
 * Redis holds them: per poll a hash `<stream>:poll:<id>` (definition, status, closing time,
 * access mode) that the vote function reads, the set `<stream>:polls` of their ids, and the
 * channel `<stream>:polls` on which every change announces the poll id. A change is a Redis
 * function (ballot-box.ts) that updates the hash, appends a control entry to the vote stream
 * (the worker writes it to PostgreSQL, in the votes' order) and publishes, all at once.
 *
 * Every replica keeps the definitions in memory (LivePolls): a vote never reads them from a
 * database. It learns of a change by the channel (milliseconds), and re-reads everything
 * every RESYNC_MS and whenever its subscription reconnects, for a message lost while
 * disconnected. A poll with a closing time is closed at that time by every replica (closing
 * is idempotent), so the stored status, PostgreSQL and result follow; votes are refused from
 * that instant anyway, by the vote function against Redis's clock.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  BernsteinError,
  definitionFrom,
  ErrorCode,
  type LivePolls,
  type Logger,
  type PollDefinition,
  type PollInput,
  type Redis,
} from '@bernstein/common';
import { CLOSE_FUNCTION, CODES_FUNCTION, DEFINE_FUNCTION, pollChannel, pollIndexKey, pollKeys, Refusal, type BallotBox } from './ballot-box.js';
import { hashCode, RedisUnavailableError } from './votes.js';

export const RESYNC_MS = 5000;
/** How long start-up waits for the Redis connection before its first read (then reads anyway). */
const FIRST_READ_WAIT_MS = 3000;
/** Most codes per request (a class or a hall); more in several requests. */
export const MAX_CODES = 1000;

/** Access codes: 10 characters of an alphabet without look-alikes (0/O, 1/I/L), 50 bits. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
export function newAccessCode(): string {
  const bytes = randomBytes(10);
  return [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

export class PollStore {
  private subscriber: Redis | undefined;
  private resync: NodeJS.Timeout | undefined;
  private readonly closers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    readonly polls: LivePolls,
    private readonly box: BallotBox,
    private readonly logger: Logger,
  ) {
    polls.onChange((poll) => this.scheduleClose(poll));
  }

  /** Subscribes to changes and reads every poll; resolves after the first read (or its failure, logged). */
  async start(resyncMs = RESYNC_MS): Promise<void> {
    // Queues commands until connected (the vote client fails fast; a subscription may wait).
    const subscriber = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, id: string) => void this.refresh(id).catch((err: unknown) => this.warn(err)));
    // Messages published while the subscription was down are lost: read everything again.
    subscriber.on('ready', () => void this.loadAll().catch((err: unknown) => this.warn(err)));
    subscriber.on('error', () => undefined); // reconnects by itself; failures show in votes and resyncs
    // Not awaited: start-up never waits on the subscription (the resync covers its absence).
    subscriber.subscribe(pollChannel(this.stream)).catch((err: unknown) => this.warn(err));
    this.resync = setInterval(() => void this.loadAll().catch((err: unknown) => this.warn(err)), resyncMs);
    this.resync.unref();
    // The vote client fails fast while it connects: give it a moment first, so that the first
    // read does not fail (and warn) only because start-up raced the connection.
    await readyWithin(this.redis, FIRST_READ_WAIT_MS);
    await this.loadAll().catch((err: unknown) => this.warn(err));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resync);
    for (const t of this.closers.values()) clearTimeout(t);
    this.closers.clear();
    const s = this.subscriber;
    this.subscriber = undefined;
    if (s) s.disconnect();
  }

  /** Reads every API poll from Redis into the catalog. */
  async loadAll(): Promise<void> {
    const ids = await this.redis.smembers(pollIndexKey(this.stream));
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(pollKeys(this.stream, id).state, 'def', 'status', 'closedAt', 'archived');
    const replies = ids.length === 0 ? [] : ((await pipeline.exec()) ?? []);
    replies.forEach(([err, fields], i) => {
      if (err === null) this.apply(ids[i] as string, fields as (string | null)[]);
    });
  }

  /** Reads one poll from Redis into the catalog; returns it (undefined if Redis has none). */
  async refresh(id: string): Promise<PollDefinition | undefined> {
    const fields = await this.redis.hmget(pollKeys(this.stream, id).state, 'def', 'status', 'closedAt', 'archived');
    this.apply(id, fields);
    return this.polls.get(id);
  }

  private apply(id: string, [def, status, closedAt, archived]: (string | null)[]): void {
    if (def === null || def === undefined) return;
    try {
      const poll = definitionFrom(id, JSON.parse(def), {
        status,
        closedAt: closedAt ? new Date(Number(closedAt)).toISOString() : null,
        archived: archived === '1',
      });
      this.polls.upsert(poll);
    } catch (err) {
      this.logger.warn({ err, poll: id }, 'ignoring a poll definition in Redis that does not validate');
    }
  }

  /** Creates a poll: 201 material. POLL_EXISTS (409) for a taken id, configured or not. */
  async create(input: PollInput): Promise<PollDefinition> {
    if (this.polls.get(input.id) !== undefined) throw exists(input.id);
    const def = JSON.stringify({ ...input, id: undefined, createdAt: new Date().toISOString() });
    const closes = input.closesAt === null ? '' : String(Date.parse(input.closesAt));
    const k = pollKeys(this.stream, input.id);
    const reply = await this.call(DEFINE_FUNCTION, [this.stream, pollIndexKey(this.stream), k.state], [input.id, def, closes, input.access, pollChannel(this.stream)]);
    if (reply instanceof Refusal) throw exists(input.id);
    return this.mustRefresh(input.id);
  }

  /** Closes (and optionally archives) an API poll; idempotent. */
  async close(id: string, archive = false): Promise<PollDefinition> {
    this.requireApiPoll(id);
    const reply = await this.call(CLOSE_FUNCTION, [this.stream, pollKeys(this.stream, id).state], [id, pollChannel(this.stream), archive ? '1' : '0']);
    if (reply instanceof Refusal) throw notFound(id);
    return this.mustRefresh(id);
  }

  /** Generates `count` one-time codes for a poll in codes mode; Redis keeps only their hashes. */
  async addCodes(id: string, count: number): Promise<string[]> {
    const poll = this.requireApiPoll(id);
    if (poll.access !== 'codes')
      throw new BernsteinError(ErrorCode.POLL_INVALID, `poll "${id}" takes votes without codes (access "open"); create it with "access": "codes"`, 409);
    const codes = Array.from({ length: count }, newAccessCode);
    const k = pollKeys(this.stream, id);
    const reply = await this.call(CODES_FUNCTION, [k.state, k.codes], codes.map((c) => hashCode(id, c)));
    if (reply instanceof Refusal) throw notFound(id);
    return codes;
  }

  private requireApiPoll(id: string): PollDefinition {
    const poll = this.polls.get(id);
    if (poll === undefined) throw notFound(id);
    if (poll.managedBy === 'configuration')
      throw new BernsteinError(
        ErrorCode.POLL_MANAGED,
        `poll "${id}" is defined by configuration (POLLS, POLLS_FILE or OPTION_A…D); change it there, it cannot be closed or given codes through the API`,
        409,
      );
    return poll;
  }

  private async mustRefresh(id: string): Promise<PollDefinition> {
    const poll = await this.refresh(id).catch((err: unknown) => {
      throw new RedisUnavailableError(err);
    });
    if (poll === undefined) throw notFound(id);
    return poll;
  }

  private async call(fn: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.box.run([fn, keys.length, ...keys, ...args]);
    } catch (err) {
      throw new RedisUnavailableError(err);
    }
  }

  /** Closes an open poll at its closing time (every replica does; the second close changes nothing). */
  private scheduleClose(poll: PollDefinition): void {
    const existing = this.closers.get(poll.id);
    if (existing) clearTimeout(existing);
    this.closers.delete(poll.id);
    if (this.stopped || poll.status === 'closed' || poll.closesAt === null) return;
    // setTimeout takes at most 2^31-1 ms (24.8 days); a resync re-arms later ones.
    const delay = Math.min(Math.max(0, Date.parse(poll.closesAt) - Date.now()) + 50, 2 ** 31 - 1);
    const timer = setTimeout(() => {
      this.closers.delete(poll.id);
      void this.close(poll.id).catch((err: unknown) => this.warn(err));
    }, delay);
    timer.unref();
    this.closers.set(poll.id, timer);
  }

  private warn(err: unknown): void {
    if (!this.stopped) this.logger.warn({ err }, 'reading or closing poll definitions in Redis failed; retrying at the next resync');
  }
}

function exists(id: string): BernsteinError {
  return new BernsteinError(ErrorCode.POLL_EXISTS, `a poll with id "${id}" exists already`, 409, { poll: id });
}

function notFound(id: string): BernsteinError {
  return new BernsteinError(ErrorCode.POLL_NOT_FOUND, `there is no poll with id "${id}"`, 404, { poll: id });
}

/** Resolves when `redis` is ready, or after `ms` (whichever comes first); never rejects. */
async function readyWithin(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return;
  await once(redis, 'ready', { signal: AbortSignal.timeout(ms) }).catch(() => undefined);
}
