/** SARIF 2.1.0 (GitHub code scanning and other viewers): one result per finding. */
import type { Finding, Rule, Severity } from '../model.js';
import { docsUrl } from '../model.js';

const LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'note' };

export function renderSarif(findings: readonly Finding[], rules: readonly Rule[], version: string): string {
  const ids = rules.map((r) => r.id);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'bernstein-check',
            version,
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.description },
              // helpUri must be absolute in SARIF; the docs page is a path in the repository.
              help: { text: `${r.remediation} (${docsUrl(r.id)})`, markdown: `${r.remediation}\n\nSee [${r.id}](${docsUrl(r.id)}).` },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(ids.includes(f.rule) ? { ruleIndex: ids.indexOf(f.rule) } : {}),
          level: LEVEL[f.severity],
          message: { text: f.kind ? `${f.message} (${f.kind}/${f.name ?? ''})` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split('\\').join('/') },
                ...(f.fieldLine !== undefined ? { region: { startLine: f.fieldLine } } : {}),
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
