/** Values of a compose service (environment, command, labels, volumes), in either of compose's spellings. */
import type { ComposeService } from '../compose.js';
import type { Path } from '../model.js';
import { isRecord, list, record, str, text } from '../read.js';

/** `environment:` as a map or a `KEY=value` list; a bare `KEY` (value from the shell) is undefined. */
export function composeEnvironment(s: ComposeService): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  if (Array.isArray(s.environment)) {
    for (const e of s.environment) {
      const text = String(e);
      const eq = text.indexOf('=');
      if (eq < 0) out.set(text, undefined);
      else out.set(text.slice(0, eq), text.slice(eq + 1));
    }
  } else {
    for (const [k, v] of Object.entries(record(s.environment))) out.set(k, v === null || v === undefined ? undefined : text(v));
  }
  return out;
}

/** `command:` (or `entrypoint:`) as words: a list as is, a string split on blanks. */
export function composeWords(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  const text = str(v);
  return text === undefined ? [] : text.split(/\s+/).filter((w) => w !== '');
}

export interface ComposeLabel {
  readonly key: string;
  readonly value: string;
  /** Path of the label inside the service. */
  readonly path: Path;
}

/** `labels:` as a map or a `key=value` list. */
export function composeLabels(s: ComposeService): ComposeLabel[] {
  if (Array.isArray(s.labels)) {
    return s.labels.flatMap((l, i) => {
      const text = String(l);
      const eq = text.indexOf('=');
      return eq < 0 ? [] : [{ key: text.slice(0, eq), value: text.slice(eq + 1), path: ['labels', i] }];
    });
  }
  return Object.entries(record(s.labels)).map(([key, v]) => ({ key, value: String(v), path: ['labels', key] }));
}

export interface ComposeMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly index: number;
}

/** `volumes:` entries in short (`src:dst[:ro]`) or long syntax. */
export function composeMounts(s: ComposeService): ComposeMount[] {
  return list(s.volumes).flatMap((v, index) => {
    if (typeof v === 'string') {
      const [source = '', target = '', mode = ''] = v.split(':');
      return [{ source, target, readOnly: mode.split(',').includes('ro'), index }];
    }
    if (!isRecord(v)) return [];
    return [{ source: str(v.source) ?? '', target: str(v.target) ?? '', readOnly: v.read_only === true, index }];
  });
}
