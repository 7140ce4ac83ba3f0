/**
 * The voting page of one poll: a form with one submit button per option, so it works
 * without JavaScript. Every variant a request can ask for (no choice yet, "your vote" on
 * option i, "thanks, recorded" for option i) is rendered once, up front, as a Buffer;
 * only error notices are rendered per request.
 */
import type { Poll } from '@bernstein/common';
import { escapeHtml } from '@bernstein/common';
import { layout } from './layout.js';

export interface PollPageOptions {
  /** Where the form posts: `/` for the default poll, `/polls/<id>` for the others. */
  formAction: string;
  /** Absolute URL of this poll's results page, if known. */
  resultUrl: string | undefined;
  /** Voting has closed: the page says so and links to the final results instead of the form. */
  closed?: boolean;
  /** The poll takes votes with an access code: the form has a code field. */
  codes?: boolean;
}

export class PollPage {
  private readonly plain: string[];
  private readonly current: string[];
  private readonly base: Buffer;
  private readonly chosen: Buffer[];
  private readonly confirmed: Buffer[];

  constructor(
    private readonly poll: Poll,
    private readonly opts: PollPageOptions,
  ) {
    this.plain = poll.options.map((o) => optionButton(o.id, o.label, false));
    this.current = poll.options.map((o) => optionButton(o.id, o.label, true));
    this.base = Buffer.from(this.render(undefined, ''));
    this.chosen = poll.options.map((_, i) => Buffer.from(this.render(i, '')));
    this.confirmed = poll.options.map((o, i) =>
      Buffer.from(
        this.render(
          i,
          // autofocus: after the form's round trip, focus (and a screen reader) starts at the
          // confirmation instead of the top of the page; no script needed.
          `<p class="notice ok" role="status" id="confirmation" tabindex="-1" autofocus>Thanks! Your vote for <strong>${escapeHtml(o.label)}</strong> has been recorded.</p>\n`,
        ),
      ),
    );
  }

  /** The page, marking option `choice` (an index) as the voter's; `confirmed` adds the thank-you notice. */
  page(choice: number | undefined, confirmed: boolean): Buffer {
    if (choice === undefined) return this.base;
    return (confirmed ? this.confirmed[choice] : this.chosen[choice]) ?? this.base;
  }

  /**
   * The page with an error notice (rare path: rendered per request); `startOver` adds the
   * button that clears the voter cookie (POST /voter/reset), the only way to a new identity.
   */
  withError(message: string, choice: number | undefined, startOver = false): string {
    const action = startOver
      ? '<form method="post" action="/voter/reset">' +
        `<input type="hidden" name="return" value="${escapeHtml(this.opts.formAction)}">` +
        '<button type="submit" id="start-over"><span>Start over as a new voter</span></button></form>\n'
      : '';
    return this.render(choice, `<p class="notice err" role="alert" tabindex="-1" autofocus>${escapeHtml(message)}</p>\n${action}`);
  }

  private render(choice: number | undefined, notice: string): string {
    const buttons = this.plain.map((b, i) => (i === choice ? this.current[i] : b)).join('');
    const results = this.opts.resultUrl
      ? `\n<p class="hint"><a href="${escapeHtml(this.opts.resultUrl)}">See the ${this.opts.closed ? 'final' : 'live'} results</a></p>`
      : '';
    if (this.opts.closed)
      return layout(
        `${this.poll.question} · Bernstein poll`,
        '<p class="brand">Bernstein poll</p>\n' +
          `<h1 id="question">${escapeHtml(this.poll.question)}</h1>\n` +
          notice +
          '<p class="notice err" role="status" id="closed">Voting has closed. No more votes are taken.</p>' +
          results,
      );
    const code = this.opts.codes
      ? '<p><label for="code">Access code</label> <input id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64"></p>\n' +
        '<p class="hint">Enter the code you were given with your first vote; after that your browser is recognised.</p>\n'
      : '';
    return layout(
      `${this.poll.question} · Bernstein poll`,
      '<p class="brand">Bernstein poll</p>\n' +
        `<h1 id="question">${escapeHtml(this.poll.question)}</h1>\n` +
        notice +
        `<form method="post" action="${escapeHtml(this.opts.formAction)}" aria-labelledby="question">\n` +
        code +
        `<ul>\n${buttons}</ul>\n</form>\n` +
        '<p class="hint">Pick one answer. You can change your vote at any time; only your latest vote counts.</p>' +
        results,
    );
  }
}

function optionButton(id: string, label: string, current: boolean): string {
  const mark = current ? ' aria-current="true"' : '';
  const badge = current ? '<span class="badge">✓ Your vote</span>' : '';
  return `<li><button type="submit" name="vote" value="${escapeHtml(id)}"${mark}><span>${escapeHtml(label)}</span>${badge}</button></li>\n`;
}
