/** Reads YAML text into documents, keeping line information for every node. */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { ParseProblem, Path, YamlSource } from '../model.js';

export interface ParsedYaml {
  readonly sources: YamlSource[];
  readonly problems: ParseProblem[];
}

export function parseYaml(file: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *anchor`) as the YAML 1.1 parsers of kubectl and compose accept them.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const sources: YamlSource[] = [];
  const problems: ParseProblem[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const broken = doc.errors.length > 0;
    let separatorReported = false;
    let syntaxReported = false;
    for (const err of doc.errors) {
      const line = lineCounter.linePos(err.pos[0]).line;
      // Two objects in one document (the `---` forgotten) show up as duplicate top-level keys.
      const separator = err.code === 'DUPLICATE_KEY' && /^\s*(apiVersion|kind)\b/.test(lineText(text, line));
      // After a missing `---`, every key of the second object is a duplicate: report it once.
      if (separatorReported && err.code === 'DUPLICATE_KEY') continue;
      // Later syntax errors of a document are mostly echoes of the first one.
      if (!separator && syntaxReported) continue;
      syntaxReported ||= !separator;
      separatorReported ||= separator;
      problems.push(
        separator
          ? { rule: 'document-separator', file, line, message: `a second object starts here inside the same YAML document (duplicate "${lineText(text, line).trim().split(':')[0]}"); separate objects with a line "---"` }
          : { rule: 'yaml-syntax', file, line, message: firstLine(err.message) },
      );
    }
    if (broken || doc.contents === null) continue;
    const start = doc.contents.range?.[0] ?? 0;
    sources.push({ file, doc, lineCounter, line: lineCounter.linePos(start).line });
  }
  return { sources, problems };
}

function lineText(text: string, line: number): string {
  return text.split('\n')[line - 1] ?? '';
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

/**
 * Line of the field at `path` (the key's line for a map entry), or of the nearest ancestor that
 * exists, so a finding about a missing field points at the object that lacks it.
 */
export function lineOfPath(src: YamlSource, path: Path): number {
  let node: unknown = src.doc.contents;
  let line = src.line;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return line;
      const key = pair.key as { range?: [number, number, number] };
      if (key.range) line = src.lineCounter.linePos(key.range[0]).line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as { range?: [number, number, number] } | undefined;
      if (!item) return line;
      if (item.range) line = src.lineCounter.linePos(item.range[0]).line;
      node = item;
    } else {
      return line;
    }
  }
  return line;
}

const data = new WeakMap<Document, unknown>();

/** The document as plain data (converted once: loading asks several times per document). */
export function toData(doc: Document): unknown {
  if (!data.has(doc)) data.set(doc, doc.toJS({ maxAliasCount: 1000 }));
  return data.get(doc);
}
