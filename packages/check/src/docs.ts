/** The rules page, generated from the rules' own metadata. */
import { FILES, GRADING_CATEGORIES, TABLE } from './bernstein.js';
import type { Rule } from './model.js';

const PROFILE_TEXT = { core: 'all profiles', bernstein: 'bernstein', production: 'production' } as const;

export function renderRulesDoc(rules: readonly Rule[]): string {
  const out: string[] = [
    '# `bernstein check` rules',
    '',
    '<!-- Generated from packages/check/src/rules/*.ts by `npm run docs -w @bernstein/check`; do not edit. -->',
    '',
    'Profiles: `bernstein` (the course requirement set), `production` (best practice). Syntax, schema and',
    'cross-reference rules (profile "all profiles" below) run with every profile.',
    '',
    'Suppress a rule on one object with the annotation `bernstein.dev/ignore: "rule-a,rule-b"` (or `all`);',
    'change a severity or turn a rule off in a config file (`--config`): `rules: {probes: off, pdb: error}`.',
    '',
    '## Objects created out of band',
    '',
    'A deployment may rely on objects that exist in the cluster but not in its manifests (a production',
    'Secret created by the operators, a ServiceAccount of the platform team). Declare them, with their keys,',
    'instead of suppressing the cross-reference rules: the rules then treat them as existing and still report',
    'a reference to a key that is not declared (a typo stays an error).',
    '',
    '```yaml',
    '# bernstein-check.yaml next to the kustomization.yaml (or in a directory checked),',
    '# or under the same key in the file given with --config (then it applies to every input).',
    'external:',
    '  - kind: Secret            # Secret | ConfigMap | PersistentVolumeClaim | PersistentVolume | ServiceAccount',
    '    name: postgres',
    '    namespace: bernstein    # optional: without it the declaration holds in every namespace',
    '    keys: [POSTGRES_USER, POSTGRES_PASSWORD]   # required for Secret and ConfigMap, absent for the others',
    '```',
    '',
    'A `bernstein-check.yaml` is never read as a manifest and may hold only `external` (profiles and rule',
    'severities belong to `--config`). An unknown kind or field, missing `keys`, or a duplicate is a usage',
    'error (exit 2). Rules that use declarations: config-ref, service-env, pvc-ref, service-account-ref.',
    '',
    '| rule | severity | profiles | kinds |',
    '|---|---|---|---|',
    ...rules.map((r) => `| [${r.id}](#${r.id}) | ${r.severity} | ${r.profiles.map((p) => PROFILE_TEXT[p]).join(', ')} | ${r.kinds.join(', ')} |`),
    '',
  ];
  out.push('## The Bernstein layout', '', 'Files of a Bernstein deployment directory and the kinds each must hold:', '', '| file | kinds |', '|---|---|');
  for (const [file, groups] of Object.entries(FILES)) out.push(`| \`${file}\` | ${groups.map((g) => g.join(' or ')).join(' + ')} |`);
  out.push('', 'Per component:', '', '| component | kind | replicas | namespace | memory limit | ports | host |', '|---|---|---|---|---|---|---|');
  for (const [c, t] of Object.entries(TABLE)) {
    out.push(`| ${c} | ${t.kind} | ${t.replicas ?? 'every node'} | ${t.namespace} | ${t.memoryLimit ?? '–'} | ${t.ports.join(', ') || '–'} | ${t.host ?? '–'} |`);
  }
  out.push('', "The six categories of the course's grading tests and the rules covering them (the text and JSON reports of a `bernstein` run end with the error count per category):", '', '| category | rules |', '|---|---|');
  for (const [category, ids] of Object.entries(GRADING_CATEGORIES)) out.push(`| ${category} | ${ids.map((id) => `[${id}](#${id})`).join(', ')} |`);
  out.push('');
  for (const r of rules) {
    out.push(`## ${r.id}`, '', r.description, '', `- **Default severity:** ${r.severity}`, `- **Profiles:** ${r.profiles.map((p) => PROFILE_TEXT[p]).join(', ')}`, `- **Kinds:** ${r.kinds.join(', ')}`, '', `**Remediation:** ${r.remediation}`, '');
  }
  return out.join('\n');
}
