/** Human-readable report, grouped by file; colour only when writing to a terminal. */
import type { CategoryResult } from '../bernstein.js';
import type { Finding, Severity } from '../model.js';

const COLOURS: Record<Severity, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m' };
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

export function renderText(findings: readonly Finding[], opts: { colour: boolean; grading?: readonly CategoryResult[] }): string {
  const paint = (code: string, s: string) => (opts.colour ? `${code}${s}${RESET}` : s);
  const grading = opts.grading
    ? `Bernstein grading categories: ${opts.grading.map((c) => `${c.category} ${c.errors === 0 ? paint(COLOURS.info, 'ok') : paint(COLOURS.error, `${c.errors} error(s)`)}`).join(', ')}\n`
    : '';
  if (findings.length === 0) return `No findings.\n${grading}`;
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    lines.push(paint(BOLD, file));
    for (const f of list) {
      const where = f.fieldLine !== undefined ? String(f.fieldLine).padStart(5) : '    -';
      const obj = f.kind ? paint(DIM, ` (${f.kind}/${f.name ?? ''})`) : '';
      lines.push(`${where}  ${paint(COLOURS[f.severity], f.severity.padEnd(7))} ${f.message}${obj}  ${paint(DIM, f.rule)}`);
    }
    lines.push('');
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  lines.push(`${findings.length} finding(s): ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info`);
  return `${lines.join('\n')}\n${grading}`;
}
