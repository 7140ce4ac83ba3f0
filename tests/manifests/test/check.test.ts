/**
 * `bernstein check` (packages/check) on every render: no error-level finding anywhere, and
 * no finding at all for the Bernstein profile on the base. The production overlay's Secrets are
 * created out of band; its bernstein-check.yaml declares them (with their keys), so the checker
 * verifies every reference to them instead of being told to look away.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '@bernstein/check';
import { parse } from 'yaml';
import { instanceCheckDeclaration, kubernetesDir, OVERLAYS, PRODUCTION_EXTERNAL_SECRETS, renderAll, renderDir, SIDE_BY_SIDE_INSTANCES } from '../lib/index.js';

const productionDir = join(kubernetesDir, 'overlays', 'production');
/** The declaration of the production overlay's out-of-band objects, for its rendered file. */
const productionDeclaration = join(productionDir, 'bernstein-check.yaml');
/** Traefik's CRDs, applied first from deploy/kubernetes/crds, declared for the canary renders. */
let crdsDeclaration: string;
/** Where each side-by-side instance's declaration (its out-of-band Secrets) is written. */
let instanceDeclarations: string;
/**
 * The declaration each render is checked with: the overlay's own bernstein-check.yaml (the
 * Secrets its cluster script or operator creates out of band), Traefik's CRDs for canaries.
 */
const declarationFor = (name: string): string[] => {
  if (name === 'overlay-production') return ['--config', productionDeclaration];
  if (name === 'overlay-local' || name === 'overlay-instance-2') return ['--config', join(kubernetesDir, 'overlays', name.slice('overlay-'.length), 'bernstein-check.yaml')];
  if (/^instance-\d+$/.test(name)) return ['--config', join(instanceDeclarations, `${name}.check.yaml`)];
  // app-only: the shared Traefik of the first installation, whose ServiceAccount this
  // instance's RoleBinding traefik-secrets names (canary and app-only never combine).
  if (name.includes('app-only')) return ['--config', join(instanceDeclarations, 'app-only.check.yaml')];
  return name.includes('canary') ? ['--config', crdsDeclaration] : [];
};
/**
 * The clusters the scheduling, rollout, drain and claim-binding rules model. Everything but
 * production runs on the course's 3-node cluster: kind's (a tainted control plane and 2
 * workers, so every pod must fit on 2 nodes, and a default StorageClass as both local
 * clusters have). Production: the cluster it is sized for, beside its kustomization.
 */
const COURSE_CLUSTER = ['--cluster', 'kind'];
const PRODUCTION_CLUSTER = ['--cluster', join(productionDir, 'cluster.yaml')];
const clusterFor = (name: string): string[] => (name === 'overlay-production' ? PRODUCTION_CLUSTER : COURSE_CLUSTER);
/** Third-party images are pinned by tag, ours by digest in production (docs/operations.md, trade-offs). */
const thirdPartyTagPin = (f: { rule: string; message: string }) =>
  f.rule === 'image-registry' && /^image "(?!registry\.example\.com\/bernstein\/)[^"]+" is not pinned by digest/.test(f.message);

interface JsonReport {
  findings: { rule: string; severity: string; message: string }[];
}

async function check(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = (s: string) => void (out += s);
  const code = await run(args, { stdout: write, stderr: write, isTTY: false, cwd: process.cwd() });
  return { code, out };
}

describe('bernstein check on the deployment', () => {
  let renders: string;
  let names: string[];
  before(async () => {
    renders = await mkdtemp(join(tmpdir(), 'bernstein-renders-'));
    names = [...(await renderAll(renders)).keys()];
    crdsDeclaration = join(renders, 'crds-declaration.yaml');
    const crds = (await renderDir(join(kubernetesDir, 'crds'))).objects;
    await writeFile(crdsDeclaration, `external:\n${crds.map((c) => `  - { kind: CustomResourceDefinition, name: ${c.metadata.name} }\n`).join('')}`);
    instanceDeclarations = renders;
    await writeFile(join(renders, 'app-only.check.yaml'), 'external:\n  - { kind: ServiceAccount, name: traefik, namespace: kube-public }\n');
    for (const n of SIDE_BY_SIDE_INSTANCES) await writeFile(join(renders, `instance-${n}.check.yaml`), instanceCheckDeclaration(n));
  });
  after(async () => {
    await rm(renders, { recursive: true, force: true });
  });

  it('finds nothing in the base with the Bernstein profile', async () => {
    const r = await check(['--profile', 'bernstein', ...COURSE_CLUSTER, join(kubernetesDir, 'base')]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /No findings/);
  });

  it('finds no error in the base with both profiles', async () => {
    const r = await check(['--profile', 'bernstein', '--profile', 'production', ...COURSE_CLUSTER, join(kubernetesDir, 'base')]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /0 error\(s\)/);
  });

  it('finds no error in any overlay with the production profile', async () => {
    for (const o of OVERLAYS) {
      const r = await check(['--profile', 'production', ...clusterFor(`overlay-${o}`), join(kubernetesDir, 'overlays', o)]);
      assert.equal(r.code, 0, `${o}:\n${r.out}`);
    }
  });

  it('finds no error in the restore Job applied beside the base', async () => {
    const file = join(renders, 'base-with-restore.yaml');
    const restore = (await renderDir(join(kubernetesDir, 'ops', 'postgres-restore'))).yaml;
    await writeFile(file, `${(await renderDir(join(kubernetesDir, 'base'))).yaml}---\n${restore}`);
    const r = await check(['--profile', 'production', ...COURSE_CLUSTER, file]);
    assert.equal(r.code, 0, r.out);
  });

  it('finds no error in any rendered combination or side-by-side instance', async () => {
    assert.ok(names.length > 50);
    const failures: string[] = [];
    for (const name of names) {
      const r = await check(['--profile', 'production', ...clusterFor(name), ...declarationFor(name), join(renders, `${name}.yaml`)]);
      if (r.code !== 0) failures.push(`${name}:\n${r.out}`);
    }
    assert.deepEqual(failures, []);
  });

  it('production declares exactly the Secrets it expects to be created out of band and the CRDs applied first, and suppresses no rule', async () => {
    const external = (parse(await readFile(productionDeclaration, 'utf8')) as { external: { kind: string; name: string; namespace?: string; keys?: string[] }[] }).external;
    // The CRDs it declares are exactly those deploy/kubernetes/crds applies first.
    const crds = (await renderDir(join(kubernetesDir, 'crds'))).objects.map((o) => o.metadata.name);
    assert.deepEqual(external.filter((e) => e.kind === 'CustomResourceDefinition').map((e) => e.name).sort(), [...crds].sort());
    const declared = external.filter((e) => e.kind !== 'CustomResourceDefinition');
    assert.deepEqual(
      Object.fromEntries(declared.map((e) => [e.name, e.keys])),
      Object.fromEntries(Object.entries(PRODUCTION_EXTERNAL_SECRETS).map(([k, v]) => [k, [...v]])),
    );
    // The app's Secrets in its namespace; the dashboard's users beside Traefik.
    for (const e of declared) assert.deepEqual([e.kind, e.namespace], ['Secret', e.name === 'traefik-dashboard' ? 'kube-public' : 'bernstein']);
    const rendered = await readFile(join(renders, 'overlay-production.yaml'), 'utf8');
    assert.doesNotMatch(rendered, /bernstein\.dev\/ignore:.*(config-ref|service-env)/);
  });

  it('finds nothing in the production overlay, warnings included, but the tag pins of third-party images', async () => {
    const r = await check(['--profile', 'production', ...PRODUCTION_CLUSTER, '--format', 'json', productionDir]);
    assert.equal(r.code, 0, r.out);
    const findings = (JSON.parse(r.out) as JsonReport).findings;
    assert.deepEqual(findings.filter((f) => !thirdPartyTagPin(f)).map((f) => `${f.rule}: ${f.message}`), []);
  });

  it("suppresses one finding in the whole deployment: run-as-non-root on cAdvisor, which needs root", async () => {
    const suppressions = new Set<string>();
    for (const name of names) {
      for (const doc of (await readFile(join(renders, `${name}.yaml`), 'utf8')).split(/^---$/m)) {
        const o = parse(doc) as { kind?: string; metadata?: { name?: string; annotations?: Record<string, string> } } | null;
        const ignored = o?.metadata?.annotations?.['bernstein.dev/ignore'];
        if (ignored !== undefined) suppressions.add(`${o?.kind}/${o?.metadata?.name}: ${ignored}`);
      }
    }
    assert.deepEqual([...suppressions], ['DaemonSet/cadvisor: run-as-non-root']);
  });

  it('without the declaration, the production render has errors only about the out-of-band Secrets and CRDs', async () => {
    const r = await check(['--profile', 'production', ...PRODUCTION_CLUSTER, '--format', 'json', join(renders, 'overlay-production.yaml')]);
    assert.equal(r.code, 1, 'the declaration is what makes production pass');
    const errors = (JSON.parse(r.out) as JsonReport).findings.filter((f) => f.severity === 'error');
    assert.ok(errors.length > 0);
    for (const f of errors) {
      assert.ok(['config-ref', 'service-env', 'traefik-crds'].includes(f.rule), `${f.rule}: ${f.message}`);
      assert.match(f.message, /Secret "(postgres(-owner|-worker|-result|-backup)?|redis-(acl|poll|worker|probe)|poll|traefik-dashboard)" does not exist|not given POSTGRES_USER, POSTGRES_PASSWORD|needs the CustomResourceDefinition (ingressroutes|traefikservices|middlewares)\.traefik\.io/, f.message);
    }
    assert.ok(errors.some((f) => f.rule === 'traefik-crds'), 'the CRDs applied beforehand are what the declaration adds');
  });

  it('with the declaration, a mistyped Secret name or a missing key is still an error', async () => {
    const rendered = await readFile(join(renders, 'overlay-production.yaml'), 'utf8');
    const errorsOf = async (file: string, config: string) => {
      const r = await check(['--profile', 'production', ...PRODUCTION_CLUSTER, '--format', 'json', '--config', config, file]);
      return { code: r.code, errors: (JSON.parse(r.out) as JsonReport).findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`) };
    };
    // result asking for "postgress-result": the declaration of "postgres-result" does not cover it.
    const typo = join(renders, 'production-typo.yaml');
    const mistyped = rendered.replace(/(secretRef:\n\s+name: )postgres-result\n(\s+image: \S*bernstein\/result)/, '$1postgress-result\n$2');
    assert.notEqual(mistyped, rendered);
    await writeFile(typo, mistyped);
    const a = await errorsOf(typo, productionDeclaration);
    assert.equal(a.code, 1);
    assert.ok(a.errors.includes('config-ref: Secret "postgress-result" does not exist in namespace "bernstein"'), a.errors.join('\n'));
    assert.ok(a.errors.some((e) => /^service-env: container "result" .* not given POSTGRES_USER, POSTGRES_PASSWORD$/.test(e)), a.errors.join('\n'));
    // result's Secret declared without POSTGRES_PASSWORD: the service that needs it is reported.
    const partial = join(renders, 'partial-declaration.yaml');
    const declaration = await readFile(productionDeclaration, 'utf8');
    const withoutPassword = declaration.replace(/(name: postgres-result\n\s+namespace: bernstein\n\s+keys: )\[POSTGRES_USER, POSTGRES_PASSWORD\]/, '$1[POSTGRES_USER]');
    assert.notEqual(withoutPassword, declaration);
    await writeFile(partial, withoutPassword);
    const b = await errorsOf(join(renders, 'overlay-production.yaml'), partial);
    assert.equal(b.code, 1);
    // result, which reads the whole Secret, and migrate's reference to that key (the password
    // it gives the role result) are reported, nothing else.
    assert.equal(b.errors.length, 2, b.errors.join('\n'));
    assert.ok(b.errors.includes('service-env: container "result" runs the result service but is not given POSTGRES_PASSWORD'), b.errors.join('\n'));
    assert.ok(b.errors.some((e) => /^config-ref: Secret "postgres-result" \(declared external in .*\) has no key "POSTGRES_PASSWORD"$/.test(e)), b.errors.join('\n'));
  });
});
