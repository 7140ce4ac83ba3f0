/**
 * Everything the routes need about each configured poll, computed once at start-up:
 * option lookups, the API's JSON bodies, the rendered pages, and the precise messages.
 */
import { BernsteinError, describePoll, ErrorCode, statusOf, type LivePolls, type PollDefinition } from '@bernstein/common';
import { PollPage } from './views/poll-page.js';

export interface PollView {
  readonly poll: PollDefinition;
  /** The page of this poll, where its form posts: `/` for the default poll. */
  readonly path: string;
  /** Option id → index in `poll.options`. */
  readonly optionIndex: ReadonlyMap<string, number>;
  /** `GET /api/polls/:poll` body. */
  readonly json: string;
  readonly page: PollPage;
  /** Non-authoritative cookie remembering this browser's last choice, for the page only. */
  readonly choiceCookie: string;
  /** The results page of this poll, if RESULT_URL is set. */
  readonly resultUrl: string | undefined;
  /** Whether this view was rendered closed (a closing time passing makes it outdated). */
  readonly closed: boolean;
}

/**
 * The views of the live catalog: built on first use and again after the poll changed (or
 * its closing time passed), so a vote costs a map lookup.
 */
export class PollViews {
  private readonly byId = new Map<string, PollView>();
  private list: string | undefined;
  private listValidUntil = Number.POSITIVE_INFINITY;

  constructor(
    private readonly catalog: LivePolls,
    private readonly resultUrl: string | undefined,
  ) {
    catalog.onChange((poll) => {
      this.byId.delete(poll.id);
      this.list = undefined;
    });
  }

  get defaultView(): PollView {
    return this.get(this.catalog.defaultPoll.id) as PollView;
  }

  /** `GET /api/polls` body: every poll but the archived ones. */
  get listJson(): string {
    const now = Date.now();
    // Cached until a poll changes or the next closing time passes.
    if (this.list === undefined || now >= this.listValidUntil) {
      const polls = this.catalog.polls.filter((p) => !p.archived);
      this.list = JSON.stringify({ polls: polls.map((p) => describePoll(p, now)) });
      const closings = polls.filter((p) => statusOf(p, now) === 'open' && p.closesAt !== null).map((p) => Date.parse(p.closesAt as string));
      this.listValidUntil = Math.min(Number.POSITIVE_INFINITY, ...closings);
    }
    return this.list;
  }

  get(id: string): PollView | undefined {
    const cached = this.byId.get(id);
    const poll = this.catalog.get(id);
    if (poll === undefined) return undefined;
    const closed = statusOf(poll) === 'closed';
    if (cached !== undefined && cached.poll === poll && cached.closed === closed) return cached;
    const isDefault = poll.id === this.catalog.defaultPoll.id;
    const path = isDefault ? '/' : `/polls/${poll.id}`;
    const resultUrl = resultsLink(this.resultUrl, poll.id, isDefault);
    const view: PollView = {
      poll,
      path,
      optionIndex: new Map(poll.options.map((o, i) => [o.id, i])),
      json: JSON.stringify(describePoll(poll)),
      page: new PollPage(poll, { formAction: path, resultUrl, closed, codes: poll.access === 'codes' }),
      choiceCookie: `bernstein_choice_${poll.id}`,
      resultUrl,
      closed,
    };
    this.byId.set(id, view);
    return view;
  }

  /** The view of poll `id`, or POLL_NOT_FOUND (404) naming it. */
  require(id: string): PollView {
    const view = this.get(id);
    if (view === undefined) throw pollNotFound(id);
    return view;
  }

  get ids(): string[] {
    return this.catalog.polls.map((p) => p.id);
  }

  get polls(): readonly PollDefinition[] {
    return this.catalog.polls;
  }
}

export function pollNotFound(id: string): BernsteinError {
  return new BernsteinError(ErrorCode.POLL_NOT_FOUND, `there is no poll with id ${quote(id)}`, 404);
}

/** The option's index, or OPTION_UNKNOWN (400) naming the option and the valid ones. */
export function requireOption(view: PollView, option: string): number {
  const index = view.optionIndex.get(option);
  if (index === undefined) {
    const valid = view.poll.options.map((o) => o.id).join(', ');
    throw new BernsteinError(
      ErrorCode.OPTION_UNKNOWN,
      `poll ${quote(view.poll.id)} has no option ${quote(option)}; valid options are: ${valid}`,
      400,
    );
  }
  return index;
}

/** Echoes client input in messages, bounded and JSON-quoted (never raw). */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

/** RESULT_URL is the result service's page of the default poll; other polls live under /polls/<id>. */
function resultsLink(resultUrl: string | undefined, pollId: string, isDefault: boolean): string | undefined {
  if (resultUrl === undefined) return undefined;
  if (isDefault) return resultUrl;
  const url = new URL(resultUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/polls/${pollId}`;
  return url.toString();
}
