/**
 * The HTML error page of the results site (API routes answer JSON instead): the design of
 * the other pages, words for voters rather than the API's message for programs, and always a
 * way on (the list of polls, the main results).
 */
import { ErrorCode, escapeHtml, pageHeaders, type BernsteinError } from '@bernstein/common';
import { BASE_CSS, head, rootFrom } from './theme.js';

const CSS =
  BASE_CSS +
  'body{display:grid;place-items:center;padding:clamp(1rem,5vw,4rem) 1rem}' +
  'main{width:min(34rem,100%);background:var(--card);border-radius:22px;padding:clamp(1.4rem,4vw,2.4rem);' +
  'box-shadow:0 1px 2px rgba(20,24,48,.06),0 18px 50px rgba(20,24,48,.10)}' +
  'h1{margin:.3rem 0 .6rem;font-size:clamp(1.4rem,3.4vw,1.8rem);line-height:1.2;letter-spacing:-.02em}' +
  'p{margin:0 0 1.2rem;color:var(--muted)}' +
  'nav{display:flex;flex-wrap:wrap;gap:.6rem 1.4rem}';

/** Headers of the error page: its one stylesheet allowed by hash and the inline icon. */
export const ERROR_PAGE_HEADERS = { ...pageHeaders({ styles: [CSS], img: ['data:'] }), 'cache-control': 'no-store' };

interface Words {
  title: string;
  text: string;
}

function wordsFor(error: BernsteinError): Words {
  if (error.code === ErrorCode.POLL_NOT_FOUND) {
    return { title: 'This poll does not exist', text: 'There is no poll at this address. The link may be mistyped, or the poll may have been removed.' };
  }
  if (error.status === 404 || error.status === 405) {
    return { title: 'Page not found', text: 'There is nothing at this address. The polls and their results are one click away.' };
  }
  if (error.status === 503) {
    return { title: 'Results are not available right now', text: 'This server is busy or starting. Please try again in a few seconds.' };
  }
  if (error.status >= 500) {
    return { title: 'Something went wrong on our side', text: 'The results could not be shown. Please try again in a moment.' };
  }
  return { title: 'This address does not work', text: 'The address of this page is not valid. Please check the link you followed.' };
}

/** The page for `error` on a request to `path` (links are relative to it, for path prefixes). */
export function renderErrorPage(error: BernsteinError, path: string): string {
  const { title, text } = wordsFor(error);
  const root = rootFrom(path);
  return (
    head(`${escapeHtml(title)} · Bernstein`, CSS) +
    '<body>\n<main>\n' +
    `<p class="eyebrow">Bernstein · Error ${escapeHtml(error.status)}</p>\n<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>\n` +
    `<nav aria-label="Ways on"><a href="${root}polls">See all polls</a><a href="${root}">Main results</a></nav>\n` +
    '</main>\n</body>\n</html>\n'
  );
}
