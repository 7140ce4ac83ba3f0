/** The HTML error page of the results site (API routes answer JSON instead). */
import { escapeHtml, pageHeaders } from '@bernstein/common';

const CSS = `
body{margin:0;min-height:100vh;display:grid;place-items:center;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6fb;color:#1e2235}
main{max-width:32rem;padding:2rem 2.25rem;background:#fff;border-radius:18px;box-shadow:0 10px 40px rgba(30,34,53,.08)}
h1{margin:0 0 .5rem;font-size:1.4rem}p{margin:0;color:#5b6178}
@media (prefers-color-scheme:dark){body{background:#0d111c;color:#e8eaf3}main{background:#161b2b}p{color:#a3a9c2}}
`;

/** Headers of the error page: its one stylesheet allowed by hash, nothing else. */
export const ERROR_PAGE_HEADERS = { ...pageHeaders({ styles: [CSS] }), 'cache-control': 'no-store' };

export function renderErrorPage(status: number, title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(status)} · ${escapeHtml(title)}</title>
<style>${CSS}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main></body></html>
`;
}
