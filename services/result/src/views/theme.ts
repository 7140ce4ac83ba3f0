/**
 * What every page of result shares: the colours (light and dark, each text colour at least
 * 4.5:1 on the background it sits on), the type, links and the icon. Each page appends its
 * own rules and embeds the whole stylesheet inline (allowed by hash, see pageHeaders).
 */

/** Bar colours, by option position: swatches and bars only, never text. */
export const PALETTE = ['#6366f1', '#ec4899', '#f59e0b', '#10b981', '#0ea5e9', '#8b5cf6', '#ef4444', '#84cc16'];

export function colourOf(index: number): string {
  return PALETTE[index % PALETTE.length] ?? '#6366f1';
}

export const BASE_CSS =
  ':root{color-scheme:light dark;--bg:#f3f5fb;--bg2:#e7eaf6;--card:#fff;--ink:#171a2c;--muted:#575e78;--track:#e6e9f3;--line:#dfe3ee;' +
  '--accent:#4338ca;--live:#047857;--live-bg:#def5ec;--stale:#92400e;--stale-bg:#fdf0d5;--off:#4b5168;--off-bg:#eceef4;--closed:#9f1239;--closed-bg:#fde8ec}' +
  '@media (prefers-color-scheme:dark){:root{--bg:#0b0f1a;--bg2:#131a2e;--card:#151b2d;--ink:#eceef8;--muted:#a7aec8;--track:#252d45;--line:#2a3350;' +
  '--accent:#a5b4fc;--live:#6ee7b7;--live-bg:#0f2e27;--stale:#fcd34d;--stale-bg:#33270c;--off:#c3c8db;--off-bg:#262d42;--closed:#fda4af;--closed-bg:#3a1620}}' +
  '*{box-sizing:border-box}' +
  'body{margin:0;min-height:100vh;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif;color:var(--ink);' +
  'background:radial-gradient(60rem 40rem at 10% -10%,var(--bg2),transparent),radial-gradient(50rem 40rem at 110% 110%,var(--bg2),transparent),var(--bg)}' +
  'a{color:var(--accent);font-weight:600;text-underline-offset:.18em}a:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:3px;border-radius:4px}' +
  '.eyebrow{margin:0;font-size:.78rem;font-weight:700;letter-spacing:.12em;text-transform:uppercase;color:var(--muted)}' +
  '.status{display:inline-flex;white-space:nowrap;align-items:center;gap:.45rem;font-size:.8rem;font-weight:700;padding:.3rem .7rem;border-radius:999px;background:var(--off-bg);color:var(--off)}' +
  '.status[hidden]{display:none}.dot{flex:none;width:.55rem;height:.55rem;border-radius:50%;background:currentColor}' +
  '.status.live{color:var(--live);background:var(--live-bg)}.status.live .dot{animation:pulse 1.8s ease-out infinite}' +
  '.status.stale{color:var(--stale);background:var(--stale-bg)}' +
  '.status.closed{color:var(--closed);background:var(--closed-bg)}' +
  '@keyframes pulse{0%{box-shadow:0 0 0 0 color-mix(in srgb,currentColor 55%,transparent)}100%{box-shadow:0 0 0 .55rem transparent}}' +
  // Parts shown only while the poll is open, or only once it has closed (class on <body>).
  '.closed-only,.is-closed .open-only{display:none!important}.is-closed .closed-only{display:revert!important}' +
  '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}' +
  '@media (prefers-reduced-motion:reduce){*{animation:none!important;transition:none!important}}';

/** The icon, inline (no request, allowed by `img-src data:`): four rising bars. */
export const FAVICON_SVG =
  "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect width='16' height='16' rx='4' fill='#4338ca'/>" +
  "<path d='M3.5 12.5v-3M6.5 12.5v-6M9.5 12.5v-4.5M12.5 12.5v-9' stroke='#fff' stroke-width='2' stroke-linecap='round'/></svg>";

export const FAVICON_LINK = `<link rel="icon" href="data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}">`;

/** The head every page shares; `title` is already escaped. */
export function head(title: string, css: string): string {
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${title}</title>\n${FAVICON_LINK}\n<style>${css}</style>\n</head>\n`
  );
}

/**
 * The way from a page at `path` back to the service's root, relative (`./`, `../`, …), so
 * links keep working behind a proxy that serves result under a path prefix.
 */
export function rootFrom(path: string): string {
  const pathname = path.split('?')[0] ?? '/';
  const depth = Math.min(Math.max((pathname.match(/\//g)?.length ?? 1) - 1, 0), 16);
  return depth === 0 ? './' : '../'.repeat(depth);
}
