/**
 * Interleaves the services' logs on one terminal: every line carries the service's name.
 * On a TTY, pino's JSON lines become `12:00:01 poll    INFO  message key=value`; elsewhere the
 * JSON stays intact behind the prefix, so it can still be parsed. On a TTY the line is for a
 * person: objects too long to read at a glance (a service's whole configuration) are elided,
 * and an error shows its stack only at ERROR and FATAL; a warning (a reconnect attempt) shows
 * the error's message.
 */
const LEVELS: Record<number, { name: string; color: number }> = {
  10: { name: 'TRACE', color: 90 },
  20: { name: 'DEBUG', color: 90 },
  30: { name: 'INFO ', color: 32 },
  40: { name: 'WARN ', color: 33 },
  50: { name: 'ERROR', color: 31 },
  60: { name: 'FATAL', color: 35 },
};
const NAME_COLORS = [36, 35, 34, 33, 32, 31];
// Fields every pino line has; the rest are worth showing.
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'name', 'v']);

export interface LineFormat {
  pretty: boolean;
  /** Width the names are padded to, so messages line up. */
  width: number;
}

function paint(on: boolean, code: number, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function colorOf(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return NAME_COLORS[h % NAME_COLORS.length] as number;
}

/** Longest value shown whole on a terminal; longer objects become `{…}` (the JSON output keeps them). */
const MAX_VALUE = 60;

function showValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  const json = JSON.stringify(value);
  if (json.length <= MAX_VALUE || typeof value !== 'object' || value === null) return json;
  return Array.isArray(value) ? `[…${value.length} items]` : '{…}';
}

function showError(err: { message?: string; stack?: string }, level: number): string {
  if (level >= 50) return `\n${err.stack ?? err.message ?? JSON.stringify(err)}`;
  return ` ${err.message ?? JSON.stringify(err)}`;
}

export function formatLine(name: string, line: string, format: LineFormat): string {
  const label = name.padEnd(format.width);
  if (!format.pretty) return `${label} | ${line}`;
  const tag = paint(true, colorOf(name), label);
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `${tag} | ${line}`;
    record = parsed as Record<string, unknown>;
  } catch {
    return `${tag} | ${line}`;
  }
  const level = LEVELS[Number(record.level)] ?? { name: showValue(record.level ?? '').padEnd(5), color: 0 };
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '';
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN.has(key) && key !== 'err')
    .map(([key, value]) => `${paint(true, 90, `${key}=`)}${showValue(value)}`);
  const err = record.err as { message?: string; stack?: string } | undefined;
  const errText = err ? showError(err, Number(record.level)) : '';
  return `${paint(true, 90, time)} ${tag} ${paint(true, level.color, level.name)} ${typeof record.msg === 'string' ? record.msg : showValue(record.msg ?? '')} ${fields.join(' ')}${errText}`.trimEnd();
}
