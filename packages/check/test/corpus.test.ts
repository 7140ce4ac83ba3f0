// Precision and recall of `bernstein check` on a corpus of Bernstein deployments written for this
// test (test/corpus/<case>/), in the styles people use: Traefik 1.7, 2.x and 3.x; plain Ingress
// and IngressRoute; the course's 19 files, one file, one object per file, Kustomize overlays.
// Each case has a case.yaml: `clean: true` (a deployment that works on 1 control plane + 2
// workers: no error-level finding allowed) or `defects:` seeded on purpose (each must be found,
// and no other error-level finding may appear). The checker runs through its CLI entry point,
// as a user runs it, with the case's profiles and cluster file.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { run } from '../src/cli.js';
import { USER_PROFILES, type Finding, type UserProfile } from '../src/model.js';
import { isRecord } from '../src/read.js';

const corpus = fileURLToPath(new URL('./corpus/', import.meta.url));

interface Defect {
  readonly rule: string;
  readonly file: string;
  readonly contains: string;
  /** The defect class of the corpus inventory it stands for (absent: a consequence of another). */
  readonly class?: string;
  /** Row of the review table of issue 9, when the defect is one of its rows. */
  readonly row?: number;
}

interface Case {
  readonly name: string;
  readonly dir: string;
  readonly title: string;
  readonly style: string;
  readonly profiles: readonly UserProfile[];
  readonly cluster?: string;
  readonly clean: boolean;
  readonly defects: readonly Defect[];
}

/**
 * Every defect class the corpus must hold at least once, with the rule that reports it.
 * A case names the class of each seeded defect in case.yaml (`class:`).
 */
const DEFECT_CLASSES: Readonly<Record<string, string>> = {
  'rollout-surge-with-anti-affinity': 'cluster-rollout',
  'spread-without-node-taints-policy': 'cluster-schedulable',
  'requests-over-capacity': 'cluster-schedulable',
  'node-selector-matches-no-node': 'cluster-schedulable',
  'pdb-min-available-equals-replicas': 'cluster-drain',
  'daemonset-misses-tainted-node': 'cluster-daemonset-coverage',
  'rwo-claim-rolling-update': 'rwo-rolling-update',
  'crd-provider-only-with-ingresses': 'traefik-provider',
  'traefik-ingress-api-removed': 'traefik-provider',
  'rbac-missing-ingress-resources': 'traefik-rbac',
  'rbac-missing-crd-resources': 'traefik-rbac',
  'ingressroute-without-crds': 'traefik-crds',
  'containo-crds-with-traefik-3': 'traefik-crds',
  'ingress-class-not-served': 'traefik-ingress-class',
  'route-not-served-by-traefik': 'bernstein-routing',
  'crds-applied-with-their-objects': 'crd-same-apply',
  'stream-behind-default-read-timeout': 'traefik-stream-timeout',
  'env-host-localhost': 'env-host-resolves',
  'env-host-unknown-service': 'env-host-resolves',
  'env-port-mismatch': 'env-host-resolves',
  'pvc-storage-class-mismatch': 'pvc-binding',
  'pvc-access-mode-mismatch': 'pvc-binding',
  'pvc-capacity-too-small': 'pvc-binding',
  'host-path-pv-without-node-affinity': 'pv-host-path',
  'removed-deployment-api': 'api-version-removed',
  'removed-pdb-api': 'api-version-removed',
  'removed-ingress-api': 'api-version-removed',
  'empty-manifest-file': 'empty-manifest',
  'service-selector-app-vs-k8s-app': 'service-selector-match',
  'plain-text-secret-data': 'secret-data-base64',
  'image-tag-lastest': 'image-tag',
  'cadvisor-routfs': 'bernstein-cadvisor',
  'replicas-zero': 'bernstein-replicas',
  'pv-pvc-without-separator': 'document-separator',
};

function str(v: unknown, what: string): string {
  assert.equal(typeof v, 'string', `${what} must be a string`);
  return v as string;
}

function readCase(name: string): Case {
  const dir = join(corpus, name);
  const raw: unknown = parse(readFileSync(join(dir, 'case.yaml'), 'utf8'));
  assert.ok(isRecord(raw), `${name}/case.yaml is not a mapping`);
  const profiles = raw.profile === undefined ? ['bernstein', 'production'] : raw.profile;
  assert.ok(Array.isArray(profiles) && profiles.every((p) => USER_PROFILES.includes(p as UserProfile)), `${name}: bad profile`);
  const defects = raw.defects === undefined ? [] : raw.defects;
  assert.ok(Array.isArray(defects), `${name}: defects must be a list`);
  const clean = raw.clean === true;
  assert.ok(clean !== defects.length > 0, `${name}: a case is either clean: true or has defects`);
  const cluster = raw.cluster === undefined ? undefined : join(dir, str(raw.cluster, `${name}: cluster`));
  if (cluster) assert.ok(existsSync(cluster), `${name}: cluster file ${cluster} is missing`);
  return {
    name,
    dir,
    title: str(raw.title, `${name}: title`),
    style: str(raw.style, `${name}: style`),
    profiles: profiles as UserProfile[],
    ...(cluster ? { cluster } : {}),
    clean,
    defects: defects.map((d: unknown, i) => {
      assert.ok(isRecord(d), `${name}: defect ${i} is not a mapping`);
      const cls = d.class === undefined ? undefined : str(d.class, `${name}: defect ${i} class`);
      if (cls !== undefined) assert.ok(cls in DEFECT_CLASSES, `${name}: unknown defect class ${cls}`);
      return {
        rule: str(d.rule, `${name}: defect ${i} rule`),
        file: str(d.file, `${name}: defect ${i} file`),
        contains: str(d.contains, `${name}: defect ${i} contains`),
        ...(cls !== undefined ? { class: cls } : {}),
        ...(typeof d.row === 'number' ? { row: d.row } : {}),
      };
    }),
  };
}

const cases = readdirSync(corpus)
  .filter((n) => statSync(join(corpus, n)).isDirectory())
  .sort()
  .map(readCase);

/** Runs `bernstein check --format json` in the case directory, as a user would. */
async function check(c: Case): Promise<Finding[]> {
  let out = '';
  let err = '';
  const argv = ['--format', 'json', ...c.profiles.flatMap((p) => ['--profile', p]), ...(c.cluster ? ['--cluster', c.cluster] : []), '.'];
  const code = await run(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, cwd: c.dir });
  assert.ok(code === 0 || code === 1, `bernstein check ${argv.join(' ')} exited ${code}: ${err}`);
  const report: unknown = JSON.parse(out);
  assert.ok(isRecord(report) && Array.isArray(report.findings));
  return report.findings as Finding[];
}

const show = (f: Finding) => `${f.rule} ${f.file}:${f.fieldLine ?? '-'} ${f.message}`;
const matches = (d: Defect, f: Finding) => f.rule === d.rule && f.file === d.file && f.message.includes(d.contains);

/** Totals over the corpus, printed at the end. */
const totals = { seeded: 0, found: 0, errors: 0, falseErrors: 0, cases: 0 };
const perRule = new Map<string, { found: number; missed: number; falseErrors: number }>();
function tally(rule: string, key: 'found' | 'missed' | 'falseErrors') {
  const t = perRule.get(rule) ?? { found: 0, missed: 0, falseErrors: 0 };
  t[key]++;
  perRule.set(rule, t);
}

describe('corpus: precision and recall of bernstein check', () => {
  it('holds at least 30 cases, 10 of them clean, and every defect class', () => {
    assert.ok(cases.length >= 30, `${cases.length} cases`);
    assert.ok(cases.filter((c) => c.clean).length >= 10, 'fewer than 10 clean cases');
    const present = new Set(cases.flatMap((c) => c.defects.flatMap((d) => (d.class ? [d.class] : []))));
    assert.deepEqual(Object.keys(DEFECT_CLASSES).filter((k) => !present.has(k)), []);
    for (const c of cases) for (const d of c.defects) if (d.class) assert.equal(d.rule, DEFECT_CLASSES[d.class], `${c.name}: class ${d.class} is reported by ${DEFECT_CLASSES[d.class]}`);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.clean ? 'no error' : `${c.defects.length} seeded defect(s) found, nothing else`} (${c.style})`, async () => {
      const findings = await check(c);
      const errors = findings.filter((f) => f.severity === 'error');
      const missed = c.defects.filter((d) => !findings.some((f) => matches(d, f)));
      const falseErrors = errors.filter((f) => !c.defects.some((d) => matches(d, f)));
      totals.cases++;
      totals.seeded += c.defects.length;
      totals.found += c.defects.length - missed.length;
      totals.errors += errors.length;
      totals.falseErrors += falseErrors.length;
      for (const d of c.defects) tally(d.rule, missed.includes(d) ? 'missed' : 'found');
      for (const f of falseErrors) tally(f.rule, 'falseErrors');
      const problems = [
        ...missed.map((d) => {
          const same = findings.filter((f) => f.rule === d.rule).map(show);
          return `missed ${d.rule} in ${d.file} containing "${d.contains}"${same.length ? ` (the rule said: ${same.join(' | ')})` : ''}`;
        }),
        ...falseErrors.map((f) => `unexpected error: ${show(f)}`),
      ];
      assert.deepEqual(problems, [], `${c.title}`);
    });
  }

  after(() => {
    if (totals.cases === 0) return;
    const precision = totals.errors === 0 ? 1 : (totals.errors - totals.falseErrors) / totals.errors;
    const recall = totals.seeded === 0 ? 1 : totals.found / totals.seeded;
    const rules = [...perRule.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([r, t]) => `${r} ${t.found}/${t.found + t.missed} found, ${t.falseErrors} false`);
    console.log(
      `corpus: ${totals.cases} cases, ${totals.seeded} seeded defects, ${totals.found} found; ${totals.errors} error findings, ${totals.falseErrors} false: ` +
        `precision ${(precision * 100).toFixed(1)}%, recall ${(recall * 100).toFixed(1)}%\n  ${rules.join('\n  ')}`,
    );
  });
});
