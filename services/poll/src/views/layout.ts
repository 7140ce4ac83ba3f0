/** The HTML document around every page. `title` is plain text; `main` is already-escaped HTML. */
import { escapeHtml } from '@bernstein/common';
import { CSS, FAVICON } from './style.js';

export function layout(title: string, main: string): string {
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<link rel="icon" href="${FAVICON}">\n<style>${CSS}</style>\n</head>\n` +
    `<body>\n<main>\n${main}\n</main>\n</body>\n</html>\n`
  );
}
