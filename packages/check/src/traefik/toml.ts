/**
 * A small TOML reader for Traefik static configuration files (traefik.toml in a ConfigMap):
 * tables, dotted and quoted keys, strings, numbers, booleans and one-line arrays. What it does
 * not understand (multi-line strings and arrays, arrays of tables) is skipped, never guessed.
 */

type Table = Record<string, unknown>;

function child(table: Table, key: string): Table {
  const existing = table[key];
  if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) return existing as Table;
  const created: Table = {};
  table[key] = created;
  return created;
}

function splitKey(raw: string): string[] {
  const out: string[] = [];
  for (const m of raw.matchAll(/\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/g)) {
    const k = m[1] ?? m[2] ?? m[3];
    if (k !== undefined) out.push(k);
  }
  return out;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote && line[i - 1] !== '\\') quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

function scalar(raw: string): unknown {
  const v = raw.trim();
  if (/^".*"$/.test(v)) return v.slice(1, -1).replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  if (/^'.*'$/.test(v)) return v.slice(1, -1);
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^[+-]?\d[\d_]*(\.\d+)?$/.test(v)) return Number(v.replace(/_/g, ''));
  if (/^\[.*\]$/.test(v)) {
    const inner = v.slice(1, -1).trim();
    if (inner === '') return [];
    return [...inner.matchAll(/"([^"]*)"|'([^']*)'|([^,\s]+)/g)].map((m) => (m[1] ?? m[2] ?? scalar(m[3] ?? '')));
  }
  return undefined;
}

/** The document as nested records; undefined values are left out. */
export function parseToml(text: string): Table {
  const root: Table = {};
  let current: Table | undefined = root;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = stripComment(rawLine).trim();
    if (line === '') continue;
    if (line.startsWith('[[')) {
      current = undefined; // arrays of tables (certificates, plugins): not needed here
      continue;
    }
    const table = /^\[(.+)\]$/.exec(line);
    if (table) {
      current = splitKey(table[1] ?? '').reduce(child, root);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || current === undefined) continue;
    const keys = splitKey(line.slice(0, eq));
    const last = keys.pop();
    const value = scalar(line.slice(eq + 1));
    if (last === undefined || value === undefined) continue;
    keys.reduce(child, current)[last] = value;
  }
  return root;
}
