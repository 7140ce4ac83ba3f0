/**
 * The results page: one HTML response with inline CSS and a small inline script, no external
 * assets. Server-rendered with the current tallies, so it is complete without JavaScript;
 * with JavaScript it follows the poll's event stream and moves the bars, counts and shares in
 * place (client.ts). It links to voting, to the present view and to the list of polls.
 */
import { escapeHtml, pageHeaders } from '@bernstein/common';
import type { Results } from '../results.js';
import { PAGE_SCRIPT } from './client.js';
import { clockTime, count, votesUnit } from './format.js';
import { isClosed, renderRows, ROWS_CSS, statusBadge } from './rows.js';
import { BASE_CSS, head } from './theme.js';

const CSS =
  BASE_CSS +
  ROWS_CSS +
  'body{display:grid;place-items:center;padding:clamp(1rem,4vw,3rem)}' +
  'main{width:min(44rem,100%);background:var(--card);border-radius:22px;padding:clamp(1.4rem,4vw,2.4rem);' +
  'box-shadow:0 1px 2px rgba(20,24,48,.06),0 18px 50px rgba(20,24,48,.10)}' +
  '.top{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem 1rem;margin-bottom:.6rem}' +
  'h1{margin:0;font-size:clamp(1.5rem,3.6vw,2.1rem);line-height:1.15;letter-spacing:-.02em;overflow-wrap:anywhere}' +
  '.total{margin:.45rem 0 1.6rem;color:var(--muted)}.total b{color:var(--ink);font-variant-numeric:tabular-nums}' +
  '.closed-note{margin:.8rem 0 0;padding:.6rem .9rem;border-radius:12px;font-weight:700;color:var(--closed);background:var(--closed-bg)}' +
  '.closed-note[hidden]{display:none}' +
  '.label,.pct{font-size:1.05rem}' +
  'footer{margin-top:1.7rem;padding-top:1rem;border-top:1px solid var(--line);display:flex;justify-content:space-between;gap:.5rem 1rem;flex-wrap:wrap;font-size:.9rem;color:var(--muted)}' +
  'footer nav{display:flex;gap:.4rem 1.1rem;flex-wrap:wrap}';

/**
 * Headers of the results page: its stylesheet and script allowed by hash (computed here from
 * the very strings the page embeds), its event stream on its own origin, the inline icon,
 * and the bars' widths and colours as style attributes. Nothing else loads or runs.
 */
export const RESULTS_PAGE_HEADERS = {
  ...pageHeaders({ styles: [CSS], scripts: [PAGE_SCRIPT], connect: ["'self'"], img: ['data:'], styleAttributes: true }),
  'cache-control': 'no-store',
};

export interface ResultsPageOptions {
  /** The way from this page to the service's root (`./` at `/`, `../` at `/polls/x`). */
  root: string;
  /** The poll's voting page on the poll service (POLL_URL), if known. */
  votingUrl: string | undefined;
  /** How often the stream sends a keepalive event: the page's live indicator counts on it. */
  keepaliveMs: number;
}

/** Where the page's stream is, relative to the page (works behind a path prefix). */
export function eventsPath(root: string, poll: string): string {
  return `${root}api/polls/${encodeURIComponent(poll)}/events`;
}

export function renderResultsPage(r: Results, opts: ResultsPageOptions): string {
  const closed = isClosed(r);
  const id = encodeURIComponent(r.poll);
  const updated = r.updatedAt ? `Updated ${clockTime(r.updatedAt)}` : 'No votes yet';
  const vote = opts.votingUrl ? `<a class="open-only" href="${escapeHtml(opts.votingUrl)}">Vote</a>` : '';
  const classes = [r.stale ? 'is-stale' : '', closed ? 'is-closed' : ''].filter(Boolean).join(' ');
  return (
    head(`Results · ${escapeHtml(r.question)}`, CSS) +
    `<body${classes ? ` class="${classes}"` : ''}>\n` +
    `<main data-poll="${escapeHtml(r.poll)}" data-events="${escapeHtml(eventsPath(opts.root, r.poll))}" data-keepalive="${opts.keepaliveMs}">\n` +
    `<div class="top"><p class="eyebrow">Bernstein · Results</p>${statusBadge(r)}</div>\n` +
    `<h1>${escapeHtml(r.question)}</h1>\n` +
    `<p id="closed" class="closed-note"${closed ? '' : ' hidden'}>Voting has closed. These are the final results.</p>\n` +
    `<p class="total"><b id="total" data-v="${r.total}">${count(r.total)}</b><span id="unit">${votesUnit(r.total)}</span> in total</p>\n` +
    `<ol class="options" aria-label="Votes per option">\n${renderRows(r)}\n</ol>\n` +
    `<footer><span><span id="updated">${updated}</span><noscript> · Reload the page for newer results.</noscript></span>` +
    `<nav aria-label="This poll">${vote}<a href="${opts.root}polls/${id}/present">Present</a><a href="${opts.root}polls">All polls</a></nav></footer>\n` +
    `</main>\n<script>${PAGE_SCRIPT}</script>\n</body>\n</html>\n`
  );
}
