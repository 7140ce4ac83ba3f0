/**
 * Everything the routes need about each configured poll, computed once at start-up:
 * option lookups, the API's JSON bodies, the rendered pages, and the precise messages.
 */
import { BernsteinError, ErrorCode, type Poll, type PollCatalog } from '@bernstein/common';
import { PollPage } from './views/poll-page.js';

export interface PollView {
  readonly poll: Poll;
  /** The page of this poll, where its form posts: `/` for the default poll. */
  readonly path: string;
  /** Option id → index in `poll.options`. */
  readonly optionIndex: ReadonlyMap<string, number>;
  /** `GET /api/polls/:poll` body. */
  readonly json: string;
  readonly page: PollPage;
  /** Non-authoritative cookie remembering this browser's last choice, for the page only. */
  readonly choiceCookie: string;
}

export class PollViews {
  readonly defaultView: PollView;
  /** `GET /api/polls` body. */
  readonly listJson: string;
  private readonly byId: Map<string, PollView>;

  constructor(catalog: PollCatalog, resultUrl: string | undefined) {
    this.byId = new Map(
      catalog.polls.map((poll) => {
        const isDefault = poll === catalog.defaultPoll;
        const path = isDefault ? '/' : `/polls/${poll.id}`;
        const view: PollView = {
          poll,
          path,
          optionIndex: new Map(poll.options.map((o, i) => [o.id, i])),
          json: JSON.stringify(describe(poll)),
          page: new PollPage(poll, { formAction: path, resultUrl: resultsLink(resultUrl, poll.id, isDefault) }),
          choiceCookie: `bernstein_choice_${poll.id}`,
        };
        return [poll.id, view];
      }),
    );
    this.defaultView = this.byId.get(catalog.defaultPoll.id) as PollView;
    this.listJson = JSON.stringify({ polls: catalog.polls.map(describe) });
  }

  get(id: string): PollView | undefined {
    return this.byId.get(id);
  }

  /** The view of poll `id`, or POLL_NOT_FOUND (404) naming it. */
  require(id: string): PollView {
    const view = this.byId.get(id);
    if (view === undefined) throw pollNotFound(id);
    return view;
  }

  get ids(): string[] {
    return [...this.byId.keys()];
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

function describe(poll: Poll) {
  return { id: poll.id, question: poll.question, options: poll.options.map((o) => ({ id: o.id, label: o.label })) };
}

/** RESULT_URL is the result service's page of the default poll; other polls live under /polls/<id>. */
function resultsLink(resultUrl: string | undefined, pollId: string, isDefault: boolean): string | undefined {
  if (resultUrl === undefined) return undefined;
  if (isDefault) return resultUrl;
  const url = new URL(resultUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/polls/${pollId}`;
  return url.toString();
}
