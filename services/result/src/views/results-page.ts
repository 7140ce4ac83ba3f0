/**
 * The results page: one HTML response with inline CSS and a tiny inline script, no external
 * assets. Server-rendered with the current tallies, so it is complete without JavaScript;
 * with JavaScript it subscribes to the poll's event stream and animates the bars, counts
 * and percentages in place (no reload). Every figure is text, so screen readers get it all.
 */
import type { Results } from '../results.js';
import { escapeHtml, pageHeaders } from '@bernstein/common';

/** Bar colours, by option position (readable on light and dark backgrounds). */
const PALETTE = ['#6366f1', '#ec4899', '#f59e0b', '#10b981', '#0ea5e9', '#8b5cf6', '#ef4444', '#84cc16'];

const nf = new Intl.NumberFormat('en-US');

function percent(votes: number, total: number): number {
  return total > 0 ? (votes * 100) / total : 0;
}

const CSS = `
:root{--bg:#f3f5fb;--bg2:#e9ecf7;--card:#fff;--ink:#171a2c;--muted:#646a85;--track:#eceef6;--line:#e4e7f1;--live:#10b981;--stale:#f59e0b;--off:#9aa0b8}
@media (prefers-color-scheme:dark){:root{--bg:#0b0f1a;--bg2:#121829;--card:#151b2d;--ink:#eceef8;--muted:#9ba2bd;--track:#222a41;--line:#232b42}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:grid;place-items:center;padding:clamp(1rem,4vw,3rem);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif;color:var(--ink);background:radial-gradient(60rem 40rem at 10% -10%,var(--bg2),transparent),radial-gradient(50rem 40rem at 110% 110%,var(--bg2),transparent),var(--bg)}
main{width:min(44rem,100%);background:var(--card);border-radius:22px;padding:clamp(1.4rem,4vw,2.4rem);box-shadow:0 1px 2px rgba(20,24,48,.06),0 18px 50px rgba(20,24,48,.10)}
.top{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem 1rem;margin-bottom:.6rem}
.eyebrow{margin:0;white-space:nowrap;font-size:.78rem;font-weight:700;letter-spacing:.12em;text-transform:uppercase;color:var(--muted)}
.status{display:inline-flex;white-space:nowrap;align-items:center;gap:.45rem;font-size:.8rem;font-weight:600;padding:.3rem .7rem;border-radius:999px;background:color-mix(in srgb,var(--off) 14%,transparent);color:var(--muted)}
.dot{flex:none;width:.55rem;height:.55rem;border-radius:50%;background:var(--off)}
.status.live{color:var(--live);background:color-mix(in srgb,var(--live) 13%,transparent)}
.status.live .dot{background:var(--live);animation:pulse 1.8s ease-out infinite}
.status.stale{color:#b7791f;background:color-mix(in srgb,var(--stale) 16%,transparent)}
.status.stale .dot{background:var(--stale)}
@keyframes pulse{0%{box-shadow:0 0 0 0 color-mix(in srgb,var(--live) 60%,transparent)}100%{box-shadow:0 0 0 .55rem transparent}}
h1{margin:0;font-size:clamp(1.5rem,3.6vw,2.1rem);line-height:1.15;letter-spacing:-.02em}
.total{margin:.45rem 0 1.6rem;color:var(--muted)}
.total b{color:var(--ink);font-variant-numeric:tabular-nums}
ol{list-style:none;margin:0;padding:0;display:grid;gap:1.15rem}
li{--c:#6366f1;position:relative}
.row{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;margin-bottom:.4rem}
.label{font-weight:600;font-size:1.05rem;display:inline-flex;align-items:center;gap:.5rem;min-width:0}
.swatch{width:.7rem;height:.7rem;border-radius:4px;background:var(--c);flex:none}
.badge{display:none;font-size:.68rem;font-weight:700;letter-spacing:.06em;text-transform:uppercase;color:#fff;background:var(--c);padding:.12rem .45rem;border-radius:999px}
.leader .badge{display:inline-block}
.fig{white-space:nowrap;color:var(--muted);font-variant-numeric:tabular-nums}
.pct{color:var(--ink);font-weight:700;font-size:1.05rem;margin-right:.35rem}
.track{height:.95rem;border-radius:999px;background:var(--track);overflow:hidden}
.fill{height:100%;width:0;border-radius:inherit;background:linear-gradient(90deg,color-mix(in srgb,var(--c) 70%,#fff),var(--c));transition:width .7s cubic-bezier(.2,.8,.2,1)}
.leader .fill{box-shadow:0 0 18px color-mix(in srgb,var(--c) 55%,transparent)}
li:not(.leader) .fill{opacity:.72}
.is-stale .fill{filter:saturate(.3)}
.bump .pct{animation:bump .6s ease-out}
@keyframes bump{30%{color:var(--c);transform:scale(1.12)}}
.pct{display:inline-block}
footer{margin-top:1.7rem;padding-top:1rem;border-top:1px solid var(--line);display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap;font-size:.85rem;color:var(--muted)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (prefers-reduced-motion:reduce){.fill{transition:none}.status.live .dot,.bump .pct{animation:none}}
`;

// Tiny client: applies each `results` event to the server-rendered rows. Kept ES2017 and
// dependency-free; the server sends complete state in every event, so a reconnect needs no
// catching up.
const SCRIPT = `
(function(){
var m=document.querySelector('main'),st=document.getElementById('status'),tx=st.querySelector('.st'),
tot=document.getElementById('total'),upd=document.getElementById('updated'),rows={},nf=new Intl.NumberFormat('en-US');
[].forEach.call(document.querySelectorAll('li[data-id]'),function(li){rows[li.dataset.id]=li});
function status(c,t){st.className='status '+c;tx.textContent=t}
function count(el,to){var from=+el.dataset.v||0;el.dataset.v=to;if(from===to)return;var t0=performance.now();
(function step(now){var k=Math.min(1,(now-t0)/600),e=1-Math.pow(1-k,3);el.textContent=nf.format(Math.round(from+(to-from)*e));if(k<1)requestAnimationFrame(step)})(t0)}
function render(r){var max=0;r.options.forEach(function(o){if(o.votes>max)max=o.votes});
r.options.forEach(function(o){var li=rows[o.id];if(!li)return;var p=r.total?o.votes*100/r.total:0,c=li.querySelector('.n'),
up=o.votes>(+c.dataset.v||0);li.querySelector('.fill').style.width=p.toFixed(2)+'%';li.querySelector('.pct').textContent=Math.round(p)+'%';
li.querySelector('.u').textContent=o.votes===1?' vote':' votes';count(c,o.votes);li.classList.toggle('leader',max>0&&o.votes===max);
if(up){li.classList.remove('bump');void li.offsetWidth;li.classList.add('bump')}});
count(tot,r.total);document.getElementById('unit').textContent=r.total===1?' vote':' votes';
if(r.updatedAt)upd.textContent='Updated '+new Date(r.updatedAt).toLocaleTimeString();
m.classList.toggle('is-stale',r.stale);
if(r.stale)status('stale',r.updatedAt?'Stale · database unreachable':'Waiting for database');else status('live','Live')}
if(!window.EventSource)return;
function connect(){var es=new EventSource(m.dataset.events);
es.addEventListener('results',function(e){render(JSON.parse(e.data))});
es.onerror=function(){status('off','Reconnecting…');if(es.readyState===2)setTimeout(connect,5000+Math.random()*10000)}}
connect();
})();
`;

/**
 * Headers of the results page: its stylesheet and script allowed by hash (computed here from
 * the very strings the page embeds), its event stream on its own origin, and the bars' widths
 * and colours as style attributes. Nothing else loads or runs.
 */
export const RESULTS_PAGE_HEADERS = {
  ...pageHeaders({ styles: [CSS], scripts: [SCRIPT], connect: ["'self'"], styleAttributes: true }),
  'cache-control': 'no-store',
};

export interface ResultsPageOptions {
  /** URL of the poll's event stream, relative to the page (works behind a path prefix). */
  eventsUrl: string;
}

export function renderResultsPage(r: Results, opts: ResultsPageOptions): string {
  let max = 0;
  for (const o of r.options) max = Math.max(max, o.votes);
  const rows = r.options
    .map((o, i) => {
      const p = percent(o.votes, r.total);
      const leader = max > 0 && o.votes === max;
      return `<li data-id="${escapeHtml(o.id)}"${leader ? ' class="leader"' : ''} style="--c:${PALETTE[i % PALETTE.length]}">
<div class="row"><span class="label"><span class="swatch" aria-hidden="true"></span>${escapeHtml(o.label)}<span class="badge">Leading</span></span><span class="fig"><span class="pct">${Math.round(p)}%</span><span class="n" data-v="${o.votes}">${nf.format(o.votes)}</span><span class="u">${o.votes === 1 ? ' vote' : ' votes'}</span></span></div>
<div class="track" aria-hidden="true"><div class="fill" style="width:${p.toFixed(2)}%"></div></div>
</li>`;
    })
    .join('\n');
  const status = r.stale
    ? `<span id="status" class="status stale" role="status"><span class="dot" aria-hidden="true"></span><span class="st">${r.updatedAt || r.total > 0 ? 'Stale · database unreachable' : 'Waiting for database'}</span></span>`
    : `<span id="status" class="status" role="status"><span class="dot" aria-hidden="true"></span><span class="st">Snapshot</span></span>`;
  const updated = r.updatedAt ? `Updated ${new Date(r.updatedAt).toISOString().slice(11, 19)} UTC` : 'No votes yet';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Results · ${escapeHtml(r.question)}</title>
<style>${CSS}</style>
</head>
<body>
<main${r.stale ? ' class="is-stale"' : ''} data-poll="${escapeHtml(r.poll)}" data-events="${escapeHtml(opts.eventsUrl)}">
<div class="top"><p class="eyebrow">Bernstein · Results</p>${status}</div>
<h1>${escapeHtml(r.question)}</h1>
<p class="total"><b id="total" data-v="${r.total}">${nf.format(r.total)}</b><span id="unit">${r.total === 1 ? ' vote' : ' votes'}</span> in total</p>
<ol aria-label="Votes per option">
${rows}
</ol>
<footer><span id="updated">${updated}</span><noscript>Reload the page for newer results.</noscript><span>Shares of all votes cast</span></footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
