/**
 * Polls defined at run time (the admin API) next to those of the configuration, and what
 * poll, worker and result share about them (docs/adr/0005-poll-definitions.md):
 *
 * - a definition is validated here, once, with a message naming the problem (400);
 * - poll's Redis functions keep the state the vote path needs and append every change to the
 *   vote stream as a control entry (`encodePollEntry`), so the worker writes definitions to
 *   PostgreSQL in the same order as the votes;
 * - `LivePolls` is the in-memory catalog every replica serves from: the configured polls plus
 *   the defined ones, updated by change notifications, never read per vote.
 */
import { randomBytes } from 'node:crypto';
import { CONTRACT_VERSION, ITEM_ID } from './contract.js';
import { BernsteinError, ErrorCode } from './errors.js';
import type { Poll, PollCatalog } from './polls.js';

export type PollStatus = 'open' | 'closed';
export type AccessMode = 'open' | 'codes';
export const ACCESS_MODES: readonly AccessMode[] = ['open', 'codes'];

/** A poll with its lifecycle. Configured polls are always open, `access: open`, never archived. */
export interface PollDefinition extends Poll {
  readonly managedBy: 'configuration' | 'api';
  readonly access: AccessMode;
  /** ISO time after which votes are refused, or null. */
  readonly closesAt: string | null;
  readonly createdAt: string | null;
  /** The stored status; `statusOf` adds the closing time. */
  readonly status: PollStatus;
  readonly closedAt: string | null;
  readonly archived: boolean;
}

/** The part of a definition the admin gives (the rest is the lifecycle). */
export interface PollInput {
  readonly id: string;
  readonly question: string;
  readonly options: readonly { id: string; label: string }[];
  readonly closesAt: string | null;
  readonly access: AccessMode;
}

export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 20;
export const MAX_QUESTION = 300;
export const MAX_LABEL = 200;

/** Open unless closed, or past its closing time by `now`. */
export function statusOf(poll: Pick<PollDefinition, 'status' | 'closesAt'>, now = Date.now()): PollStatus {
  if (poll.status === 'closed') return 'closed';
  return poll.closesAt !== null && Date.parse(poll.closesAt) <= now ? 'closed' : 'open';
}

function invalid(problem: string): BernsteinError {
  return new BernsteinError(ErrorCode.POLL_INVALID, `invalid poll definition: ${problem}`, 400, { problem });
}

/** A random poll id: 10 lowercase base-32 characters (50 bits), valid as ITEM_ID. */
export function newPollId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(10)].map((b) => alphabet[b % 32]).join('');
}

/**
 * Validates an admin's definition (the JSON body of `POST /api/polls`, or the admin form)
 * and fills in the defaults: a random id, option ids a, b, c…, open access. Throws
 * POLL_INVALID (400) naming the first problem.
 */
export function parsePollInput(body: unknown, now = Date.now()): PollInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('expected a JSON object');
  const b = body as Record<string, unknown>;
  const known = new Set(['id', 'question', 'options', 'closesAt', 'access']);
  const extra = Object.keys(b).find((k) => !known.has(k));
  if (extra !== undefined) throw invalid(`unknown field ${JSON.stringify(extra)}`);
  let id: string;
  if (b.id === undefined || b.id === null || b.id === '') id = newPollId();
  else if (typeof b.id !== 'string' || !ITEM_ID.test(b.id)) throw invalid(`"id" must match ${ITEM_ID.source}`);
  else id = b.id;
  const question = typeof b.question === 'string' ? b.question.trim() : '';
  if (question === '' || question.length > MAX_QUESTION) throw invalid(`"question" must be a non-empty text of at most ${MAX_QUESTION} characters`);
  if (!Array.isArray(b.options)) throw invalid('"options" must be an array of options');
  if (b.options.length < MIN_OPTIONS || b.options.length > MAX_OPTIONS)
    throw invalid(`"options" must have ${MIN_OPTIONS} to ${MAX_OPTIONS} options, not ${b.options.length}`);
  const seen = new Set<string>();
  const options = b.options.map((o: unknown, i) => {
    const where = `option #${i + 1}`;
    if (typeof o !== 'object' || o === null) throw invalid(`${where} must be an object with a "label"`);
    const { id: oid, label } = o as Record<string, unknown>;
    const text = typeof label === 'string' ? label.trim() : '';
    if (text === '' || text.length > MAX_LABEL) throw invalid(`${where}: "label" must be a non-empty text of at most ${MAX_LABEL} characters`);
    let optionId: string;
    if (oid === undefined || oid === null || oid === '') optionId = String.fromCharCode(97 + i);
    else if (typeof oid !== 'string' || !ITEM_ID.test(oid)) throw invalid(`${where}: "id" must match ${ITEM_ID.source}`);
    else optionId = oid;
    if (seen.has(optionId)) throw invalid(`duplicate option id ${JSON.stringify(optionId)}`);
    seen.add(optionId);
    return { id: optionId, label: text };
  });
  let closesAt: string | null = null;
  if (b.closesAt !== undefined && b.closesAt !== null && b.closesAt !== '') {
    const at = typeof b.closesAt === 'string' ? Date.parse(b.closesAt) : Number.NaN;
    if (Number.isNaN(at)) throw invalid('"closesAt" must be a date and time such as 2030-01-31T18:00:00Z');
    if (at <= now) throw invalid(`"closesAt" ${b.closesAt as string} is in the past`);
    closesAt = new Date(at).toISOString();
  }
  let access: AccessMode = 'open';
  if (b.access !== undefined) {
    if (!ACCESS_MODES.includes(b.access as AccessMode)) throw invalid(`"access" must be "open" or "codes", not ${JSON.stringify(b.access)}`);
    access = b.access as AccessMode;
  }
  return { id, question, options, closesAt, access };
}

/** The JSON the API gives for a poll (GET /api/polls/:poll), with its status at `now`. */
export function describePoll(poll: PollDefinition, now = Date.now()) {
  return {
    id: poll.id,
    question: poll.question,
    options: poll.options.map((o) => ({ id: o.id, label: o.label })),
    status: statusOf(poll, now),
    access: poll.access,
    closesAt: poll.closesAt,
    closedAt: poll.closedAt,
    createdAt: poll.createdAt,
    archived: poll.archived,
    managedBy: poll.managedBy,
  };
}

export function configuredDefinition(poll: Poll): PollDefinition {
  return { ...poll, managedBy: 'configuration', access: 'open', closesAt: null, createdAt: null, status: 'open', closedAt: null, archived: false };
}

/** The immutable part of an API poll, as stored (Redis `def`, stream `def`, PostgreSQL `definition`). */
export interface StoredDefinition {
  readonly question: string;
  readonly options: readonly { id: string; label: string }[];
  readonly access: AccessMode;
  readonly closesAt: string | null;
  readonly createdAt: string;
}

/** Parses a stored `def` JSON (written by poll) with its lifecycle into a definition; throws on a bad one. */
export function definitionFrom(
  id: string,
  def: unknown,
  lifecycle: { status: string | null | undefined; closedAt?: string | null; archived?: boolean },
): PollDefinition {
  const input = parsePollInput({ id, ...(typeof def === 'object' && def !== null ? pick(def as Record<string, unknown>) : {}) }, 0);
  const createdAt = (def as { createdAt?: unknown }).createdAt;
  return {
    ...input,
    managedBy: 'api',
    createdAt: typeof createdAt === 'string' ? createdAt : null,
    status: lifecycle.status === 'closed' ? 'closed' : 'open',
    closedAt: lifecycle.closedAt ?? null,
    archived: lifecycle.archived === true,
  };
}

function pick(def: Record<string, unknown>): Record<string, unknown> {
  return { question: def.question, options: def.options, closesAt: def.closesAt, access: def.access };
}

/** Control entry of the vote stream: `v 1 kind poll poll <id> status <s> archived <0|1> def <json> at <ms>`. */
export interface PollEntry {
  readonly poll: string;
  readonly status: PollStatus;
  readonly archived: boolean;
  readonly def: string;
  readonly at: number;
  /** When it closed (ms), on a closing entry. */
  readonly closedAt?: number;
}

export function isPollEntry(fields: readonly string[]): boolean {
  return fields[2] === 'kind' && fields[3] === 'poll';
}

export function decodePollEntry(fields: readonly string[]): PollEntry {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) m.set(fields[i] as string, fields[i + 1] as string);
  const bad = (why: string) => new BernsteinError(ErrorCode.ENTRY_MALFORMED, `malformed stream entry: ${why}`, 500, { reason: why });
  if (m.get('v') !== String(CONTRACT_VERSION)) throw bad(`unsupported schema version ${JSON.stringify(m.get('v') ?? null)}`);
  const poll = m.get('poll');
  const status = m.get('status');
  const def = m.get('def');
  const at = Number(m.get('at'));
  if (poll === undefined || !ITEM_ID.test(poll)) throw bad('bad or missing "poll"');
  if (status !== 'open' && status !== 'closed') throw bad('bad or missing "status"');
  if (def === undefined) throw bad('missing "def"');
  try {
    JSON.parse(def);
  } catch {
    throw bad('"def" is not JSON');
  }
  if (!Number.isSafeInteger(at) || at <= 0) throw bad('bad or missing "at"');
  const closedAt = Number(m.get('closedAt'));
  return { poll, status, archived: m.get('archived') === '1', def, at, ...(Number.isSafeInteger(closedAt) && closedAt > 0 ? { closedAt } : {}) };
}

export type PollChangeListener = (poll: PollDefinition) => void;

/**
 * The catalog of one process: configured polls (fixed) and API polls (`upsert`). Readers
 * get plain in-memory lookups; listeners hear about every change.
 */
export class LivePolls implements PollCatalog {
  private readonly byId = new Map<string, PollDefinition>();
  private readonly optionSets = new Map<string, Set<string>>();
  private list: PollDefinition[];
  private readonly listeners = new Set<PollChangeListener>();
  readonly defaultPoll: PollDefinition;

  constructor(configured: PollCatalog) {
    for (const p of configured.polls) this.set(configuredDefinition(p));
    this.list = [...this.byId.values()];
    this.defaultPoll = this.byId.get(configured.defaultPoll.id) as PollDefinition;
  }

  get polls(): readonly PollDefinition[] {
    return this.list;
  }

  get(id: string): PollDefinition | undefined {
    return this.byId.get(id);
  }

  hasOption(poll: Poll, optionId: string): boolean {
    return this.optionSets.get(poll.id)?.has(optionId) ?? false;
  }

  /** Adds or replaces an API poll; false (and nothing changes) for a configured id or an identical one. */
  upsert(poll: PollDefinition): boolean {
    const existing = this.byId.get(poll.id);
    if (existing?.managedBy === 'configuration' || poll.managedBy !== 'api') return false;
    if (existing !== undefined && JSON.stringify(existing) === JSON.stringify(poll)) return false;
    this.set(poll);
    // Configured polls first, as configured; then API polls by creation (the same on every replica).
    const all = [...this.byId.values()];
    this.list = [
      ...all.filter((p) => p.managedBy === 'configuration'),
      ...all
        .filter((p) => p.managedBy === 'api')
        .sort((x, y) => (x.createdAt ?? '').localeCompare(y.createdAt ?? '') || x.id.localeCompare(y.id)),
    ];
    for (const l of this.listeners) l(poll);
    return true;
  }

  onChange(listener: PollChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(poll: PollDefinition): void {
    this.byId.set(poll.id, poll);
    this.optionSets.set(poll.id, new Set(poll.options.map((o) => o.id)));
  }
}

/** PostgreSQL channel on which a change of the polls table announces the poll id. */
export const POLLS_CHANNEL = 'bernstein_polls';
