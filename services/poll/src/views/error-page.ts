/** A page for errors that belong to no poll (unknown address, unknown poll). */
import { escapeHtml } from '@bernstein/common';
import { layout } from './layout.js';

export function renderErrorPage(heading: string, message: string): string {
  return layout(
    `${heading} · Bernstein`,
    '<p class="brand">Bernstein poll</p>\n' +
      `<h1>${escapeHtml(heading)}</h1>\n` +
      `<p class="notice err" role="alert">${escapeHtml(message)}</p>\n` +
      '<p class="hint"><a href="/">Go to the poll</a></p>',
  );
}
