/**
 * The present view: the live results of one poll for a projector or a shared screen. Large
 * type sized by the viewport (readable from the back of a lecture hall at 1920×1080), high
 * contrast in light and dark, the join address and its QR code beside the bars, and a
 * visible closed state with the final result. Same rows, stream and script as the results
 * page; without JavaScript it is a snapshot.
 */
import { escapeHtml, pageHeaders, qrSvg } from '@bernstein/common';
import type { Results } from '../results.js';
import { PAGE_SCRIPT } from './client.js';
import { clockTime, count, votesUnit } from './format.js';
import { displayUrl } from './links.js';
import { eventsPath } from './results-page.js';
import { isClosed, renderRows, ROWS_CSS, statusBadge } from './rows.js';
import { BASE_CSS, head } from './theme.js';

const CSS =
  BASE_CSS +
  ROWS_CSS +
  // The viewport is the canvas: sizes follow its width and, for many options, its height.
  'body{font-size:clamp(16px,1.25vw,40px)}' +
  'body{min-height:100vh;display:grid;grid-template-columns:minmax(0,1fr) auto;gap:3.5vw;align-items:center;padding:4.5vh 4.5vw}' +
  'main{min-width:0}' +
  '.top{display:flex;flex-wrap:wrap;align-items:center;gap:.6em 1.2em;margin-bottom:1.2vh}' +
  '.eyebrow{font-size:1em}.status{font-size:.95em;padding:.35em .9em}' +
  'h1{margin:0;font-size:clamp(1.9rem,3.5vw,6rem);line-height:1.08;letter-spacing:-.025em;overflow-wrap:anywhere;text-wrap:balance}' +
  '.total{margin:1.2vh 0 4vh;font-size:1.5em;color:var(--muted)}.total b{color:var(--ink);font-variant-numeric:tabular-nums}' +
  // --n is the number of rows: everything fits 1920×1080 up to 20 options (two columns beyond 8).
  'ol.options{--gap:clamp(.5rem,calc(14vh / var(--n)),2.6rem);--bar:clamp(.7rem,calc(18vh / var(--n)),2.6rem);' +
  'font-size:clamp(1rem,min(2.1vw,calc(30vh / var(--n))),3.4rem)}' +
  '.many ol.options{grid-template-columns:1fr 1fr;column-gap:3vw;--gap:clamp(.4rem,calc(10vh / var(--n)),2rem);--bar:clamp(.6rem,calc(12vh / var(--n)),2rem);' +
  'font-size:clamp(1rem,min(1.15vw,calc(22vh / var(--n))),3rem)}.many .total{margin:.3vh 0 1.8vh}.many footer{margin-top:1.5vh}' +
  'body:has(main.many){padding-top:3vh;padding-bottom:2vh}.many h1.long{font-size:clamp(1.6rem,2.1vw,3.5rem)}' +
  'h1.long{font-size:clamp(1.6rem,2.4vw,4rem)}' +
  '.pct{font-size:1.25em}' +
  '.join{width:clamp(15rem,25vw,36rem);padding:2.2vw;border-radius:1.4vw;background:#fff;color:#10131f;text-align:center;' +
  'box-shadow:0 2px 4px rgba(0,0,0,.08),0 30px 80px rgba(20,24,48,.22)}' +
  '.join h2{margin:0 0 .3em;font-size:1.9em;letter-spacing:-.02em}' +
  '.join .qr{display:block;width:100%;height:auto;margin:0 auto}' +
  '.join .url{margin:.5em 0 0;font-size:1.45em;font-weight:800;overflow-wrap:anywhere;color:#10131f}' +
  '.join .hint{margin:.3em 0 0;font-size:1em;color:#454b63}' +
  '.join .closed-only h2{color:#9f1239}' +
  'footer{margin-top:4vh;display:flex;flex-wrap:wrap;align-items:center;gap:.5em 1.4em;font-size:.95em;color:var(--muted)}' +
  'footer button{font:inherit;font-weight:600;color:var(--accent);background:none;border:1.5px solid currentColor;border-radius:999px;padding:.25em .9em;cursor:pointer}' +
  'footer button[hidden]{display:none}' +
  '@media (max-width:52rem),(orientation:portrait){body{grid-template-columns:1fr;align-items:start;padding:1.2rem}.join{width:min(100%,24rem);margin:0 auto;padding:1.5rem;border-radius:1.2rem}' +
  'ol.options,.many ol.options{grid-template-columns:1fr;font-size:1.15rem;--gap:1rem;--bar:1rem}h1,h1.long{font-size:clamp(1.6rem,7vw,3rem)}body{font-size:16px}}';

export const PRESENT_PAGE_HEADERS = {
  ...pageHeaders({ styles: [CSS], scripts: [PAGE_SCRIPT], connect: ["'self'"], img: ['data:'], styleAttributes: true }),
  'cache-control': 'no-store',
};

export interface PresentPageOptions {
  /** The way from this page to the service's root (`../../` at `/polls/x/present`). */
  root: string;
  /** The poll's voting page (POLL_URL): the join address and QR code; no join panel without it. */
  votingUrl: string | undefined;
  keepaliveMs: number;
}

function joinPanel(votingUrl: string): string {
  const shown = displayUrl(votingUrl);
  return (
    '<aside class="join" aria-label="How to vote">\n' +
    '<div class="open-only"><h2>Vote now</h2>' +
    qrSvg(votingUrl, `QR code of the voting page, ${shown}`) +
    `<p class="url">${escapeHtml(shown).replaceAll('/', '/<wbr>')}</p><p class="hint">Scan the code or open the address</p></div>\n` +
    '<div class="closed-only"><h2>Voting has closed</h2><p class="hint">Thank you for voting! These are the final results.</p></div>\n</aside>\n'
  );
}

export function renderPresentPage(r: Results, opts: PresentPageOptions): string {
  const closed = isClosed(r);
  const id = encodeURIComponent(r.poll);
  const updated = r.updatedAt ? `Updated ${clockTime(r.updatedAt)}` : 'No votes yet';
  const classes = [r.stale ? 'is-stale' : '', closed ? 'is-closed' : ''].filter(Boolean).join(' ');
  const twoColumns = r.options.length > 8;
  const rows = twoColumns ? Math.ceil(r.options.length / 2) : r.options.length;
  return (
    head(`Present · ${escapeHtml(r.question)}`, CSS) +
    `<body${classes ? ` class="${classes}"` : ''}>\n` +
    `<main${twoColumns ? ' class="many"' : ''} data-poll="${escapeHtml(r.poll)}" data-events="${escapeHtml(eventsPath(opts.root, r.poll))}" data-keepalive="${opts.keepaliveMs}">\n` +
    `<div class="top"><p class="eyebrow"><span class="open-only">Live results</span><span class="closed-only">Results</span></p>${statusBadge(r)}</div>\n` +
    `<h1 id="question"${r.question.length > 60 ? ' class="long"' : ''}>${escapeHtml(r.question)}</h1>\n` +
    `<p class="total"><b id="total" data-v="${r.total}">${count(r.total)}</b><span id="unit">${votesUnit(r.total)}</span></p>\n` +
    `<ol class="options" aria-label="Votes per option" style="--n:${Math.max(rows, 3)}">\n${renderRows(r)}\n</ol>\n` +
    `<footer><span id="updated">${updated}</span><a href="${opts.root}polls/${id}">Results page</a>` +
    '<button type="button" id="fullscreen" hidden>Full screen</button></footer>\n' +
    '</main>\n' +
    (opts.votingUrl ? joinPanel(opts.votingUrl) : '') +
    `<script>${PAGE_SCRIPT}</script>\n</body>\n</html>\n`
  );
}
