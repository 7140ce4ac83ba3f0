/**
 * Just enough Markdown reading to check links: the link targets of a file (outside code), and
 * the anchors its headings get on GitHub.
 */

export interface LinkRef {
  readonly target: string;
  /** 1-based line of the link in its file. */
  readonly line: number;
}

/** A fence opens with 3+ backticks or tildes (indented at most 3 spaces) and closes with the same. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Lines of a Markdown text with fenced code blocks blanked (line numbers kept). */
export function proseLines(text: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const m = FENCE.exec(line);
    if (fence === undefined && m?.[1]) {
      fence = m[1];
      out.push('');
    } else if (fence !== undefined) {
      if (m?.[1] && m[1][0] === fence[0] && m[1].length >= fence.length) fence = undefined;
      out.push('');
    } else {
      out.push(line);
    }
  }
  return out;
}

/** Removes inline code spans (`x`, ``x``), which may show link syntax without being links. */
export function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)(?:(?!\1)[\s\S])+?\1/g, (span) => ' '.repeat(span.length));
}

// `](target)` catches inline links and images, also inside nested brackets ([![img](a)](b)).
const INLINE = /\]\(\s*<?([^()\s<>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/;
const HTML_ATTRIBUTE = /\b(?:href|src)\s*=\s*"([^"]+)"/g;

/** Every link target of a Markdown text outside code, with its line. */
export function linksOf(text: string): LinkRef[] {
  const links: LinkRef[] = [];
  for (const [i, raw] of proseLines(text).entries()) {
    const line = withoutCodeSpans(raw);
    const add = (target: string | undefined) => {
      if (target) links.push({ target, line: i + 1 });
    };
    for (const m of line.matchAll(INLINE)) add(m[1]);
    for (const m of line.matchAll(HTML_ATTRIBUTE)) add(m[1]);
    add(REFERENCE_DEFINITION.exec(line)?.[1]);
  }
  return links;
}

/** Targets that leave the repository (http:, mailto:, //host) are not checked here. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * The anchor GitHub gives a heading: the text as rendered (markup removed), lower-cased,
 * punctuation dropped, each space a hyphen.
 */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // HTML tags
    .replace(/`/g, '');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

const ATX_HEADING = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const EXPLICIT_ANCHOR = /<a\s+(?:[^>]*?\s)?(?:id|name)\s*=\s*"([^"]+)"/g;

/** The anchors a Markdown file offers: heading slugs (repeats numbered -1, -2 …) and <a id/name>. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = ATX_HEADING.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(EXPLICIT_ANCHOR)) if (m[1]) anchors.add(m[1]);
  }
  return anchors;
}
