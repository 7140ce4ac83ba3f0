/** Machine-readable report: the findings as they are, plus a summary. */
import type { Finding } from '../model.js';

export function renderJson(findings: readonly Finding[]): string {
  const summary = { error: 0, warning: 0, info: 0 };
  for (const f of findings) summary[f.severity]++;
  return `${JSON.stringify({ findings, summary }, null, 2)}\n`;
}
