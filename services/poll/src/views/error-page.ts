/**
 * A page for errors that belong to no poll (unknown address, unknown poll): words for voters,
 * never the API's message for programs, and always a way on (the poll, the list of polls).
 */
import { escapeHtml } from '@bernstein/common';
import { layout } from './layout.js';

/** `heading` is "Not found" for a 404; `message` is written for people (routes/pages.ts, pageMessage). */
export function renderErrorPage(heading: string, message: string): string {
  const notFound = heading === 'Not found';
  const title = notFound ? 'Page not found' : 'Something went wrong';
  return layout(
    `${title} · Bernstein`,
    '<p class="brand">Bernstein poll</p>\n' +
      `<h1>${escapeHtml(title)}</h1>\n` +
      `<p class="notice err" role="alert">${escapeHtml(message)}</p>\n` +
      '<p class="hint"><a href="/">Go to the poll</a> · <a href="/polls">See all polls</a></p>',
  );
}
