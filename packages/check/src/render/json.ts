/** Machine-readable report: the findings as they are, plus a summary. */
import type { CategoryResult } from '../bernstein.js';
import type { Finding } from '../model.js';

export function renderJson(findings: readonly Finding[], grading?: readonly CategoryResult[]): string {
  const summary = { error: 0, warning: 0, info: 0 };
  for (const f of findings) summary[f.severity]++;
  return `${JSON.stringify({ findings, summary, ...(grading ? { grading } : {}) }, null, 2)}\n`;
}
