/** `GET /polls`: every poll result knows, with its votes and status, linking to its pages. */
import { escapeHtml, pageHeaders } from '@bernstein/common';
import type { Results } from '../results.js';
import { count, votesUnit } from './format.js';
import { isClosed } from './rows.js';
import { BASE_CSS, head } from './theme.js';

const CSS =
  BASE_CSS +
  'body{display:grid;place-items:start center;padding:clamp(1rem,5vw,4rem) 1rem}' +
  'main{width:min(44rem,100%);background:var(--card);border-radius:22px;padding:clamp(1.4rem,4vw,2.4rem);' +
  'box-shadow:0 1px 2px rgba(20,24,48,.06),0 18px 50px rgba(20,24,48,.10)}' +
  'h1{margin:.2rem 0 1.2rem;font-size:clamp(1.5rem,3.6vw,2.1rem);letter-spacing:-.02em}' +
  'ul{list-style:none;margin:0;padding:0;display:grid;gap:.8rem}' +
  'li{padding:1rem 1.1rem;border:1px solid var(--line);border-radius:14px;display:grid;gap:.35rem}' +
  '.q{font-size:1.1rem;overflow-wrap:anywhere}' +
  '.meta{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem 1rem;color:var(--muted);font-size:.9rem}' +
  '.meta .status{font-size:.75rem;padding:.15rem .6rem}' +
  '.more{display:flex;gap:1rem;flex-wrap:wrap;font-size:.95rem}' +
  '.empty{color:var(--muted)}';

export const POLLS_PAGE_HEADERS = { ...pageHeaders({ styles: [CSS], img: ['data:'] }), 'cache-control': 'no-store' };

export interface PollsPageEntry {
  results: Results;
  /** The poll's voting page (POLL_URL), if known. */
  votingUrl: string | undefined;
}

export function renderPollsPage(entries: readonly PollsPageEntry[], root: string): string {
  const items = entries.map(({ results: r, votingUrl }) => {
    const id = encodeURIComponent(r.poll);
    const closed = isClosed(r);
    const about = `<span class="sr"> of “${escapeHtml(r.question)}”</span>`;
    const state = closed
      ? '<span class="status closed">Closed</span>'
      : '<span class="status live"><span class="dot" aria-hidden="true"></span>Open</span>';
    return (
      `<li><a class="q" href="${root}polls/${id}">${escapeHtml(r.question)}</a>` +
      `<span class="meta">${state}<span>${count(r.total)}${votesUnit(r.total)}</span></span>` +
      `<span class="more"><a href="${root}polls/${id}">Results${about}</a><a href="${root}polls/${id}/present">Present${about}</a>` +
      (votingUrl && !closed ? `<a href="${escapeHtml(votingUrl)}">Vote${about}</a>` : '') +
      '</span></li>'
    );
  });
  return (
    head('Polls · Bernstein', CSS) +
    '<body>\n<main>\n<p class="eyebrow">Bernstein · Results</p>\n<h1>Polls</h1>\n' +
    (items.length > 0 ? `<ul>\n${items.join('\n')}\n</ul>\n` : '<p class="empty">There are no polls yet.</p>\n') +
    '</main>\n</body>\n</html>\n'
  );
}
