import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run, type Io } from '../src/cli.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const deployments = join(here, 'fixtures', 'deployments');
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'bernstein-check-'));

/** The part of a SARIF 2.1.0 log these tests read. */
interface SarifLog {
  version: string;
  runs: {
    results: { ruleId: string; ruleIndex: number; locations: { physicalLocation: { region: { startLine: number }; artifactLocation: { uri: string } } }[] }[];
    tool: { driver: { rules: { id: string; help: { text: string } }[] } };
  }[];
}
after(() => rmSync(scratch, { recursive: true, force: true }));

async function check(args: string[], opts: { isTTY?: boolean } = {}) {
  let out = '';
  let err = '';
  const io: Io = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: opts.isTTY ?? false, cwd: here };
  const code = await run(args, io);
  return { code, out, err };
}

interface JsonReport {
  findings: { rule: string; severity: string; file: string; line?: number; fieldLine?: number; kind?: string; name?: string; message: string }[];
  summary: Record<string, number>;
}

describe('bernstein check CLI', () => {
  it('the complete Bernstein deployment passes the bernstein profile (exit 0), warned only of its unauthenticated dashboard', async () => {
    const r = await check(['--profile', 'bernstein', '--format', 'json', join(deployments, 'bernstein-complete')]);
    // The course's dashboard on NodePort 30042 through --api.insecure: a warning, not an error.
    assert.deepEqual(
      (JSON.parse(r.out) as JsonReport).findings.map((f) => `${f.severity} ${f.rule} ${f.file.split('/').pop()}:${f.fieldLine} ${f.message}`),
      [
        'warning traefik-api-insecure traefik.deployment.yaml:36 Traefik v3.2.1 (kube-public/traefik): api.insecure=true serves the API and dashboard without authentication on entrypoint "traefik" (:8080), published on node port 30042 of Service "traefik": anyone who reaches it reads the whole routing configuration',
      ],
    );
    assert.equal(r.code, 0);
  });

  it('the broken deployment fails (exit 1) with every mistake located by file and line', async () => {
    const r = await check(['--profile', 'bernstein', '--format', 'json', join(deployments, 'bernstein-broken')]);
    assert.equal(r.code, 1);
    const grading = (JSON.parse(r.out) as { grading: { category: string; errors: number }[] }).grading;
    assert.deepEqual(grading.filter((g) => g.errors > 0).map((g) => g.category), ['Deployments', 'Environment variables', 'Volumes', 'Networking', 'Scheduling', 'DaemonSet']);
    const found = (JSON.parse(r.out) as JsonReport).findings.map((f) => `${f.rule} ${f.file.split('/').pop()}:${f.fieldLine}`);
    for (const expected of [
      'traefik-provider traefik.deployment.yaml:29',
      'service-selector-match traefik.service.yaml:8',
      'document-separator postgres.volume.yaml:13',
      'secret-data-base64 postgres.secret.yaml:7',
      'bernstein-anti-affinity poll.deployment.yaml:16',
      'image-tag redis.deployment.yaml:19',
      'bernstein-cadvisor cadvisor.daemonset.yaml:25',
      'bernstein-replicas result.deployment.yaml:8',
    ]) {
      assert.ok(found.includes(expected), `missing ${expected} in\n${found.join('\n')}`);
    }
  });

  it('catches replicaz: 3 with the line of the field and the object kind/name', async () => {
    const file = join(scratch, 'typo.yaml');
    writeFileSync(file, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicaz: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: web, image: "nginx:1.27.3"}]\n');
    const r = await check(['--format', 'json', file]);
    const f = (JSON.parse(r.out) as JsonReport).findings.find((x) => x.rule === 'schema-unknown-field');
    assert.ok(f);
    assert.equal(f.line, 1);
    assert.equal(f.fieldLine, 6);
    assert.equal(f.kind, 'Deployment');
    assert.equal(f.name, 'web');
    assert.equal(r.code, 1);
  });

  it('a YAML syntax error is a finding with its line, not a crash', async () => {
    const file = join(scratch, 'syntax.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b: c\n');
    const r = await check(['--format', 'json', file]);
    assert.equal(r.code, 1);
    const f = (JSON.parse(r.out) as JsonReport).findings.find((x) => x.rule === 'yaml-syntax');
    assert.equal(f?.line, 6);
  });

  it('writes SARIF 2.1.0 with the line in physicalLocation.region.startLine', async () => {
    const out = join(scratch, 'report.sarif');
    const r = await check(['--profile', 'bernstein', '--format', 'sarif', '--output', out, join(deployments, 'bernstein-broken')]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    const sarif = JSON.parse(readFileSync(out, 'utf8')) as SarifLog;
    assert.equal(sarif.version, '2.1.0');
    const run0 = sarif.runs[0];
    const result = run0?.results.find((x) => x.ruleId === 'bernstein-replicas');
    const location = result?.locations[0]?.physicalLocation;
    assert.equal(location?.region.startLine, 8);
    assert.match(location?.artifactLocation.uri ?? '', /result\.deployment\.yaml$/);
    assert.equal(run0?.tool.driver.rules[result?.ruleIndex ?? -1]?.id, 'bernstein-replicas');
    assert.ok(run0?.tool.driver.rules.every((x) => x.help.text.length > 0), 'every SARIF rule has help text');
  });

  it('text output is grouped by file, coloured only on a TTY', async () => {
    const plain = await check(['--profile', 'bernstein', join(deployments, 'bernstein-broken')]);
    assert.ok(!plain.out.includes('\u001b['));
    assert.match(plain.out, /bernstein-broken\/result\.deployment\.yaml\n\s+8 {2}error {3}result runs 0 replica/);
    const tty = await check(['--profile', 'bernstein', join(deployments, 'bernstein-broken')], { isTTY: true });
    assert.ok(tty.out.includes('\u001b[31merror'));
  });

  it('an annotation suppresses a rule on one object; a config file changes severities and turns rules off', async () => {
    const dir = join(scratch, 'suppress');
    mkdirSync(dir);
    const pod = (name: string, annotations: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${annotations}spec:\n  containers: [{name: a, image: "redis:latest"}]\n`;
    writeFileSync(join(dir, 'a.yaml'), `${pod('ignored', '  annotations:\n    bernstein.dev/ignore: "probes, image-tag"\n')}---\n${pod('checked', '')}`);
    const r = await check(['--format', 'json', dir]);
    const imageTag = (JSON.parse(r.out) as JsonReport).findings.filter((f) => f.rule === 'image-tag').map((f) => f.name);
    assert.deepEqual(imageTag, ['checked']);
    assert.equal(r.code, 1);
    const config = join(scratch, 'config.yaml');
    writeFileSync(config, 'rules:\n  image-tag: warning\n  probes: off\n');
    const r2 = await check(['--format', 'json', '--config', config, dir]);
    const report = JSON.parse(r2.out) as JsonReport;
    assert.ok(report.findings.some((f) => f.rule === 'image-tag' && f.severity === 'warning'));
    assert.ok(!report.findings.some((f) => f.rule === 'probes'));
    assert.equal(r2.code, 0);
  });

  it('--list-rules prints the rules of the selected profiles', async () => {
    const r = await check(['--list-rules', '--profile', 'bernstein', join(deployments, 'naked')]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^bernstein-replicas\s+error\s+Replica counts/m);
    assert.match(r.out, /^schema-unknown-field\s+error/m);
    assert.doesNotMatch(r.out, /^probes /m);
  });

  it('usage errors exit 2 with a message naming the problem', async () => {
    const bad = [
      [['--format', 'xml'], /unknown format "xml"/],
      [['--profile', 'course'], /unknown profile "course"/],
      [['--frobnicate'], /Unknown option/],
      [[join(scratch, 'nothing-here')], /no such file or directory/],
    ] as const;
    for (const [args, message] of bad) {
      const r = await check([...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, message);
    }
    const config = join(scratch, 'bad-config.yaml');
    writeFileSync(config, 'rules:\n  no-such-rule: off\n');
    const r = await check(['--config', config, join(deployments, 'hardened')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown rule "no-such-rule"/);
  });

  it('defaults to production plus bernstein when the input has the Bernstein layout', async () => {
    const r = await check(['--format', 'json', join(deployments, 'bernstein-drifted')]);
    const rules = new Set((JSON.parse(r.out) as JsonReport).findings.map((f) => f.rule));
    assert.ok(rules.has('bernstein-files'));
    assert.ok(rules.has('probes'));
    const r2 = await check(['--format', 'json', join(deployments, 'naked')]);
    assert.ok(!(JSON.parse(r2.out) as JsonReport).findings.some((f) => f.rule.startsWith('bernstein-')));
  });

  it('renders Kustomize directories with kubectl and maps findings back to the source files', { skip: hasKubectl ? false : 'kubectl is not installed' }, async () => {
    const dir = join(scratch, 'kustomize');
    mkdirSync(dir);
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - app.yaml\nnamePrefix: prod-\n');
    writeFileSync(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n');
    const r = await check(['--format', 'json', dir]);
    const f = (JSON.parse(r.out) as JsonReport).findings.find((x) => x.rule === 'service-selector-match');
    assert.ok(f, r.out + r.err);
    assert.match(f.file, /kustomize\/app\.yaml$/);
    assert.equal(f.name, 'prod-web');
    assert.equal(f.line, 1);
    assert.equal(f.fieldLine, 6);
  });

  it('says clearly when kubectl is missing for a Kustomize directory (exit 2)', async () => {
    const dir = join(scratch, 'kustomize-nokubectl');
    mkdirSync(dir);
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: []\n');
    const saved = process.env.BERNSTEIN_KUBECTL;
    process.env.BERNSTEIN_KUBECTL = join(scratch, 'no-kubectl-here');
    try {
      const r = await check([dir]);
      assert.equal(r.code, 2);
      assert.match(r.err, /Kustomize directory.*was not found/);
    } finally {
      if (saved === undefined) delete process.env.BERNSTEIN_KUBECTL;
      else process.env.BERNSTEIN_KUBECTL = saved;
    }
  });

  it('reports a failing kubectl kustomize as an error naming the directory', async () => {
    const fake = join(scratch, 'fake-kubectl');
    writeFileSync(fake, '#!/bin/sh\necho "error: accumulating resources: missing.yaml" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const dir = join(scratch, 'kustomize-broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [missing.yaml]\n');
    process.env.BERNSTEIN_KUBECTL = fake;
    try {
      const r = await check([dir]);
      assert.equal(r.code, 2);
      assert.match(r.err, /kubectl kustomize .*kustomize-broken failed: error: accumulating resources/);
      assert.doesNotMatch(r.err, /internal error/);
    } finally {
      delete process.env.BERNSTEIN_KUBECTL;
    }
  });
});
