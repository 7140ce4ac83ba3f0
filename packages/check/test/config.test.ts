// Objects declared external (in --config or a unit's bernstein-check.yaml): references to them
// resolve, references to keys they do not declare are still reported, and a malformed
// declaration is a usage error (exit 2) that names the problem.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from './run-cli.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'bernstein-check-config-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const check = (args: string[]) => runCli(args, scratch);

interface JsonReport {
  findings: { rule: string; message: string; file: string; fieldLine?: number }[];
}
const refs = (out: string) => (JSON.parse(out) as JsonReport).findings.filter((f) => f.rule === 'config-ref' || f.rule === 'service-env').map((f) => `${f.rule}: ${f.message}`);

/** A result Deployment that takes its database credentials from the Secret "db" (not in the input). */
const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: result
  namespace: shop
spec:
  selector:
    matchLabels: {app: result}
  template:
    metadata:
      labels: {app: result}
    spec:
      containers:
        - name: result
          image: ghcr.io/someone/bernstein-result:1.0.0
          env:
            - {name: POSTGRES_HOST, value: postgres}
            - {name: POSTGRES_DB, value: votes}
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: POSTGRES_PASSWORD}
          envFrom:
            - secretRef: {name: db}
`;

function dir(name: string, files: Record<string, string>): string {
  const d = join(scratch, name);
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}

describe('external objects', () => {
  it('--config external: a declared Secret exists with its keys; an undeclared key is still reported', async () => {
    const d = dir('run-config', { 'app.yaml': APP });
    const without = await check(['--format', 'json', d]);
    assert.equal(without.code, 1);
    assert.deepEqual(refs(without.out).sort(), [
      'config-ref: Secret "db" does not exist in namespace "shop"',
      'config-ref: Secret "db" does not exist in namespace "shop"',
      'service-env: container "result" runs the result service but is not given POSTGRES_USER',
    ]);

    writeFileSync(join(scratch, 'good.yaml'), 'external:\n  - kind: Secret\n    name: db\n    namespace: shop\n    keys: [POSTGRES_USER, POSTGRES_PASSWORD]\n');
    const good = await check(['--format', 'json', '--config', join(scratch, 'good.yaml'), d]);
    assert.deepEqual(refs(good.out), []);

    // A typo in the declaration (or in the reference) is caught: the keys are compared.
    writeFileSync(join(scratch, 'typo.yaml'), 'external:\n  - kind: Secret\n    name: db\n    keys: [POSTGRES_USER, POSTGRES_PASWORD]\n');
    const typo = await check(['--format', 'json', '--config', join(scratch, 'typo.yaml'), d]);
    assert.equal(typo.code, 1);
    const typoRefs = refs(typo.out);
    assert.equal(typoRefs.length, 1, typoRefs.join('\n'));
    assert.match(typoRefs[0] ?? '', /^config-ref: Secret "db" \(declared external in .*typo\.yaml\) has no key "POSTGRES_PASSWORD"$/);

    // Declared for another namespace only: still missing here.
    writeFileSync(join(scratch, 'elsewhere.yaml'), 'external:\n  - kind: Secret\n    name: db\n    namespace: staging\n    keys: [POSTGRES_USER, POSTGRES_PASSWORD]\n');
    const elsewhere = await check(['--format', 'json', '--config', join(scratch, 'elsewhere.yaml'), d]);
    assert.ok(refs(elsewhere.out).includes('config-ref: Secret "db" does not exist in namespace "shop"'));
  });

  it('a bernstein-check.yaml in a directory checked declares its external objects and is not read as a manifest', async () => {
    const d = dir('unit-file', { 'app.yaml': APP, 'bernstein-check.yaml': 'external:\n  - {kind: Secret, name: db, keys: [POSTGRES_USER, POSTGRES_PASSWORD]}\n' });
    const r = await check(['--format', 'json', d]);
    assert.deepEqual(refs(r.out), []);
    assert.ok(!(JSON.parse(r.out) as JsonReport).findings.some((f) => f.file.endsWith('bernstein-check.yaml')), r.out);
  });

  it('a bernstein-check.yaml next to a kustomization applies to its render', { skip: hasKubectl ? false : 'kubectl is not installed' }, async () => {
    const k = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n';
    const d = dir('kustomize', { 'kustomization.yaml': k, 'app.yaml': APP, 'bernstein-check.yaml': 'external:\n  - {kind: Secret, name: db, namespace: shop, keys: [POSTGRES_USER, POSTGRES_PASSWORD]}\n' });
    const r = await check(['--format', 'json', d]);
    assert.deepEqual(refs(r.out), []);
    const bare = dir('kustomize-bare', { 'kustomization.yaml': k, 'app.yaml': APP });
    assert.ok(refs((await check(['--format', 'json', bare])).out).length > 0, 'the declaration, not the render, made the difference');
  });

  it('a malformed declaration is a usage error (exit 2) naming the problem', async () => {
    const d = dir('bad-target', { 'app.yaml': APP });
    const bad: [string, RegExp][] = [
      ['external: {kind: Secret}\n', /external must be a list/],
      ['external:\n  - {kind: Deployment, name: db}\n', /external\[0\]: unknown kind "Deployment" \(expected Secret, ConfigMap/],
      ['external:\n  - {kind: Secret, name: db, keys: [A], data: {A: eA==}}\n', /external\[0\]: unknown field "data"/],
      ['external:\n  - {kind: Secret, name: db}\n', /Secret "db" needs "keys"/],
      ['external:\n  - {kind: ServiceAccount, name: app, keys: [a]}\n', /a ServiceAccount has no keys/],
      ['external:\n  - {kind: PersistentVolume, name: pv, namespace: shop}\n', /a PersistentVolume has no namespace/],
      ['external:\n  - {kind: Secret, name: Db_Creds, keys: []}\n', /name must be a Kubernetes object name/],
      ['external:\n  - {kind: ConfigMap, name: c, keys: [1]}\n', /keys must be a list of non-empty strings/],
      ['external:\n  - {kind: ConfigMap, name: c, keys: [a]}\n  - {kind: ConfigMap, name: c, keys: [b]}\n', /external\[1\]: ConfigMap "c" is declared twice/],
      ['externals: []\n', /unknown key "externals" \(expected profiles, rules, external\)/],
    ];
    for (const [i, [text, message]] of bad.entries()) {
      const config = join(scratch, `bad-${i}.yaml`);
      writeFileSync(config, text);
      const r = await check(['--config', config, d]);
      assert.equal(r.code, 2, text);
      assert.match(r.err, message, text);
      assert.equal(r.out, '', 'no report is written');
    }
  });

  it("a unit's bernstein-check.yaml holds only external objects: profiles and rules belong to --config", async () => {
    const d = dir('unit-rules', { 'app.yaml': APP, 'bernstein-check.yaml': 'rules:\n  config-ref: off\n' });
    const r = await check([d]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unit-rules\/bernstein-check\.yaml: unknown key "rules" \(expected external\) \(rules belong in the file given with --config\)/);
  });
});
