/**
 * Typed reading of manifest data. Manifests are user input of any shape, so their data is
 * `unknown`; every accessor here takes `unknown` and returns a typed value, or `undefined`
 * (or an empty list or record) when the shape is not what it expects. Rules never cast.
 */

export type Key = string | number;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a path (`at(o.data, 'spec', 'template', 'spec')`), or undefined. */
export function at(v: unknown, ...path: readonly Key[]): unknown {
  let cur = v;
  for (const k of path) {
    if (typeof k === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[k];
    } else {
      if (!isRecord(cur)) return undefined;
      cur = cur[k];
    }
  }
  return cur;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/**
 * A value as text for messages and keys: scalars as `String` writes them, anything else as
 * JSON (so a misplaced mapping reads `{"a":1}`, never `[object Object]`).
 */
export function text(v: unknown): string {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** The array, or an empty one. */
export function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The array's records (other entries skipped), with their index in the array. */
export function records(v: unknown): { readonly value: Record<string, unknown>; readonly index: number }[] {
  return list(v).flatMap((value, index) => (isRecord(value) ? [{ value, index }] : []));
}

/** The record, or an empty one. */
export function record(v: unknown): Readonly<Record<string, unknown>> {
  return isRecord(v) ? v : {};
}

/** The string entries of an array (others skipped). */
export function strings(v: unknown): string[] {
  return list(v).filter((x): x is string => typeof x === 'string');
}

/** A string-to-string map (labels, annotations, selectors); scalar values are stringified. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(record(v))) {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  }
  return out;
}

/** Whether `v` is one of the listed strings (narrows it to their union). */
export function oneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && values.some((x) => x === v);
}
