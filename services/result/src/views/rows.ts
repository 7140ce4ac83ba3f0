/**
 * The option rows of the results page and the present view: label, share, count and bar,
 * every figure as text (screen readers get it all). The page script updates them in place.
 */
import { escapeHtml } from '@bernstein/common';
import type { Results } from '../results.js';
import { count, percentages, votesUnit } from './format.js';
import { colourOf } from './theme.js';

/** Styles of the rows, shared by both pages (sizes differ per page through custom properties). */
export const ROWS_CSS =
  'ol.options{list-style:none;margin:0;padding:0;display:grid;gap:var(--gap,1.15rem)}' +
  'ol.options li{--c:#6366f1;position:relative}' +
  '.row{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;margin-bottom:.35em}' +
  '.label{font-weight:650;display:inline-flex;align-items:center;gap:.5em;min-width:0;overflow-wrap:anywhere}' +
  '.swatch{width:.7em;height:.7em;border-radius:.2em;background:var(--c);flex:none}' +
  '.badge{display:none;flex:none;white-space:nowrap;font-size:.62em;font-weight:800;letter-spacing:.06em;text-transform:uppercase;color:var(--ink);' +
  'background:color-mix(in srgb,var(--c) 16%,var(--card));border:1.5px solid var(--c);padding:.1em .5em;border-radius:999px}' +
  '.leader .badge{display:inline-block}' +
  '.fig{white-space:nowrap;color:var(--muted);font-variant-numeric:tabular-nums}' +
  '.pct{display:inline-block;color:var(--ink);font-weight:800;margin-right:.35em}' +
  '.track{height:var(--bar,.95rem);border-radius:999px;background:var(--track);overflow:hidden}' +
  '.fill{height:100%;width:0;border-radius:inherit;background:linear-gradient(90deg,color-mix(in srgb,var(--c) 70%,#fff),var(--c));transition:width .7s cubic-bezier(.2,.8,.2,1)}' +
  '.leader .fill{box-shadow:0 0 18px color-mix(in srgb,var(--c) 55%,transparent)}' +
  'li:not(.leader) .fill{opacity:.75}' +
  '.is-stale .fill{filter:saturate(.3)}' +
  '.bump .pct{animation:bump .6s ease-out}@keyframes bump{30%{color:var(--c);transform:scale(1.12)}}';

export function renderRows(r: Results): string {
  const shares = percentages(r.options.map((o) => o.votes));
  let max = 0;
  for (const o of r.options) max = Math.max(max, o.votes);
  return r.options
    .map((o, i) => {
      const width = r.total > 0 ? (o.votes * 100) / r.total : 0;
      const leader = max > 0 && o.votes === max;
      return (
        `<li data-id="${escapeHtml(o.id)}"${leader ? ' class="leader"' : ''} style="--c:${colourOf(i)}">` +
        `<div class="row"><span class="label"><span class="swatch" aria-hidden="true"></span>${escapeHtml(o.label)}<span class="badge"><span class="open-only">Leading</span><span class="closed-only">Winner</span></span></span>` +
        `<span class="fig"><span class="pct">${shares[i] ?? 0}%</span><span class="n" data-v="${o.votes}">${count(o.votes)}</span><span class="u">${votesUnit(o.votes)}</span></span></div>` +
        `<div class="track" aria-hidden="true"><div class="fill" style="width:${width.toFixed(2)}%"></div></div></li>`
      );
    })
    .join('\n');
}

/** Closed by the admin or past its closing time: the results are final. */
export function isClosed(r: Results): boolean {
  return r.status === 'closed';
}

/**
 * The connection badge: shown at once when the values are stale (true without JavaScript
 * too); otherwise hidden until the script knows whether the stream is live.
 */
export function statusBadge(r: Results): string {
  if (isClosed(r)) {
    return '<span id="status" class="status closed" role="status"><span class="dot" aria-hidden="true"></span><span class="st">Final result</span></span>';
  }
  if (r.stale) {
    const text = r.updatedAt || r.total > 0 ? 'Stale · database unreachable' : 'Waiting for database';
    return `<span id="status" class="status stale" role="status"><span class="dot" aria-hidden="true"></span><span class="st">${text}</span></span>`;
  }
  return '<span id="status" class="status" role="status" hidden><span class="dot" aria-hidden="true"></span><span class="st"></span></span>';
}
