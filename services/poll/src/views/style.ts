/**
 * The pages' one stylesheet, inline (no extra request), and the Content-Security-Policy that
 * allows exactly this stylesheet by hash: the pages run no script at all.
 */
import { createHash } from 'node:crypto';

export const CSS = [
  ':root{color-scheme:light dark;--bg:#f5f6fa;--card:#fff;--text:#1b1d26;--muted:#555b6b;--accent:#4338ca;--accent-soft:#eef0ff;',
  '--ok:#14532d;--ok-bg:#e7f6ec;--err:#9f1239;--err-bg:#fdecef;--border:#d3d6e2}',
  '@media (prefers-color-scheme:dark){:root{--bg:#121319;--card:#1c1e27;--text:#eceef5;--muted:#a6abba;--accent:#a5b4fc;',
  '--accent-soft:#262944;--ok:#86efac;--ok-bg:#13271b;--err:#fda4af;--err-bg:#33151c;--border:#363947}}',
  '*{box-sizing:border-box}',
  'body{margin:0;min-height:100vh;display:grid;place-items:start center;padding:clamp(1rem,6vw,4rem) 1rem;',
  'background:var(--bg);color:var(--text);font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
  'main{width:100%;max-width:34rem;background:var(--card);border:1px solid var(--border);border-radius:1rem;',
  'padding:clamp(1.25rem,5vw,2rem);box-shadow:0 1px 2px rgb(0 0 0/.05),0 8px 24px rgb(0 0 0/.06)}',
  '.brand{margin:0 0 .25rem;font-size:.8125rem;font-weight:600;letter-spacing:.08em;text-transform:uppercase;color:var(--muted)}',
  'h1{margin:0 0 1.25rem;font-size:clamp(1.375rem,4.5vw,1.75rem);line-height:1.25;overflow-wrap:anywhere}',
  '.notice{margin:0 0 1.25rem;padding:.75rem 1rem;border:1px solid;border-radius:.625rem;overflow-wrap:anywhere}',
  '.ok{color:var(--ok);background:var(--ok-bg)}.err{color:var(--err);background:var(--err-bg)}.notice:focus-visible{outline:3px solid var(--accent);outline-offset:2px}',
  'ul{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}',
  'button{width:100%;display:flex;align-items:center;justify-content:space-between;gap:1rem;min-height:3.25rem;',
  'padding:.75rem 1rem;font:inherit;font-weight:500;text-align:left;color:inherit;background:var(--card);',
  'border:2px solid var(--border);border-radius:.75rem;cursor:pointer;overflow-wrap:anywhere;',
  'transition:border-color .15s,background-color .15s}',
  'button:hover{border-color:var(--accent)}button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}',
  'button[aria-current]{border-color:var(--accent);background:var(--accent-soft)}',
  '.badge{flex:none;font-size:.8125rem;font-weight:600;color:var(--accent)}',
  '.hint{margin:1.25rem 0 0;font-size:.9375rem;color:var(--muted)}',
  'a{color:var(--accent);font-weight:600}',
  '@media (prefers-reduced-motion:reduce){button{transition:none}}',
  // Admin and share pages: fields, compact buttons, the poll table, the QR code.
  'label{font-weight:600}input,textarea,select{width:100%;font:inherit;color:inherit;background:var(--card);padding:.5rem .75rem;',
  'border:2px solid var(--border);border-radius:.5rem;margin:.25rem 0 .75rem}input:focus-visible,textarea:focus-visible,select:focus-visible',
  '{outline:3px solid var(--accent);outline-offset:1px}.row{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}',
  '.row form{display:flex;gap:.5rem;align-items:center}.row input{width:5rem;margin:0}.row button,.small{width:auto;min-height:2.5rem;padding:.4rem .8rem}',
  'table{width:100%;border-collapse:collapse;margin:1rem 0}td,th{text-align:left;padding:.5rem .25rem;border-top:1px solid var(--border);vertical-align:top}td{overflow-wrap:anywhere}',
  'h2{font-size:1.125rem;margin:1.5rem 0 .5rem}.qr{display:block;width:min(100%,16rem);height:auto;margin:1rem auto}',
  '.url{overflow-wrap:anywhere;font-family:ui-monospace,monospace}',
].join('');

const cssHash = createHash('sha256').update(CSS).digest('base64');

/** An icon inline as a data: URL, so browsers do not ask for /favicon.ico. */
export const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%234338ca'/%3E%3Cpath d='M4 8.5l2.5 2.5L12 5.5' stroke='white' stroke-width='2' fill='none'/%3E%3C/svg%3E";

/** Headers of every HTML response (computed once). */
export const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${cssHash}'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  // Pages show this voter's own choice: never serve one voter's page to another from a cache.
  'cache-control': 'no-store',
} as const;
