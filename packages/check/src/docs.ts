/** The rules page, generated from the rules' own metadata. */
import type { Rule } from './model.js';

const PROFILE_TEXT = { core: 'all profiles', bernstein: 'bernstein', production: 'production' } as const;

export function renderRulesDoc(rules: readonly Rule[]): string {
  const out: string[] = [
    '# `bernstein check` rules',
    '',
    '<!-- Generated from packages/check/src/rules/*.ts by `npm run docs -w @bernstein/check`; do not edit. -->',
    '',
    'Suppress a rule on one object with the annotation `bernstein.dev/ignore: "rule-a,rule-b"` (or `all`);',
    'change a severity or turn a rule off in a config file (`--config`): `rules: {probes: off, pdb: error}`.',
    '',
    '| rule | severity | profiles | kinds |',
    '|---|---|---|---|',
    ...rules.map((r) => `| [${r.id}](#${r.id}) | ${r.severity} | ${r.profiles.map((p) => PROFILE_TEXT[p]).join(', ')} | ${r.kinds.join(', ')} |`),
    '',
  ];
  for (const r of rules) {
    out.push(`## ${r.id}`, '', r.description, '', `- **Default severity:** ${r.severity}`, `- **Profiles:** ${r.profiles.map((p) => PROFILE_TEXT[p]).join(', ')}`, `- **Kinds:** ${r.kinds.join(', ')}`, '', `**Remediation:** ${r.remediation}`, '');
  }
  return out.join('\n');
}
