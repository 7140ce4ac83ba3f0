/**
 * The defects of the Kubernetes review (issue 9) as `bernstein check`'s cluster and resolution
 * analyses see them: each fixed manifest passes, and the same manifest with the defect put back
 * is reported with the rule that explains it.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '@bernstein/check';
import { kubernetesDir, renderDir, writeCombination } from '../lib/index.js';

interface Finding {
  rule: string;
  severity: string;
  message: string;
}

const productionDir = join(kubernetesDir, 'overlays', 'production');
const productionCluster = join(productionDir, 'cluster.yaml');
const productionDeclaration = join(productionDir, 'bernstein-check.yaml');

async function findings(args: string[]): Promise<Finding[]> {
  let out = '';
  const write = (s: string) => void (out += s);
  await run([...args, '--format', 'json'], { stdout: write, stderr: write, isTTY: false, cwd: process.cwd() });
  return (JSON.parse(out) as { findings: Finding[] }).findings;
}
const ofRule = (all: readonly Finding[], rule: string) => all.filter((f) => f.rule === rule);

let work: string;

/** Writes `text` with `from` replaced by `to` (which must occur) to a new file under work. */
async function mutated(name: string, text: string, from: string, to: string): Promise<string> {
  assert.ok(text.includes(from), `${name}: the mutation does not apply`);
  const file = join(work, name);
  await writeFile(file, text.replaceAll(from, to));
  return file;
}

describe('review of issue 9: what bernstein check finds with each defect put back', () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'bernstein-review-9-check-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('row 1: poll surging beside one pod per node never finishes its rollout on 2 workers; in place it does', async () => {
    const base = join(work, 'base');
    await cp(join(kubernetesDir, 'base'), base, { recursive: true });
    assert.deepEqual(ofRule(await findings(['--profile', 'bernstein', '--cluster', 'kind', base]), 'cluster-rollout'), []);
    const file = join(base, 'poll.deployment.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('maxUnavailable: 1\n      maxSurge: 0', 'maxUnavailable: 0\n      maxSurge: 1'));
    const rollout = ofRule(await findings(['--profile', 'bernstein', '--cluster', 'kind', base]), 'cluster-rollout');
    assert.equal(rollout.length, 1, JSON.stringify(rollout));
    assert.equal(rollout[0]?.severity, 'error');
    assert.match(rollout[0]?.message ?? '', /^a rolling update of Deployment poll never completes on cluster kind .*with maxSurge 1 and maxUnavailable 0, the new pod stays Pending/);
  });

  it('row 2: with taints ignored, the autoscaled spread fits only 2 pods on 2 workers; honoured, the HPA maximum fits', async () => {
    const dir = await writeCombination(work, { name: 'base+autoscaling', components: ['autoscaling'] });
    const { yaml } = await renderDir(dir);
    const honoured = join(work, 'autoscaling.yaml');
    await writeFile(honoured, yaml);
    assert.deepEqual(ofRule(await findings(['--profile', 'production', '--cluster', 'kind', honoured]), 'cluster-schedulable'), []);
    const ignored = await mutated('autoscaling-ignore.yaml', yaml, 'nodeTaintsPolicy: Honor', 'nodeTaintsPolicy: Ignore');
    const messages = ofRule(await findings(['--profile', 'production', '--cluster', 'kind', ignored]), 'cluster-schedulable').map((f) => f.message);
    for (const app of ['poll', 'result']) {
      assert.ok(messages.some((m) => m.startsWith(`maxReplicas 10, but only 2 pods of Deployment ${app} fit on cluster kind`)), messages.join('\n'));
    }
  });

  it('rows 5 and 6: production names a registry for every image, and its CRDs only fail when applied with it', async () => {
    const production = (await renderDir(productionDir)).yaml;
    const file = join(work, 'production.yaml');
    await writeFile(file, production);
    const args = ['--profile', 'production', '--cluster', productionCluster, '--config', productionDeclaration];
    const clean = await findings([...args, file]);
    assert.deepEqual(clean.filter((f) => f.rule === 'image-registry' && /names no registry/.test(f.message)), []);
    assert.deepEqual(clean.filter((f) => f.severity === 'error'), []);
    // The same render with the CRDs in it: the first apply fails.
    const together = join(work, 'production-with-crds.yaml');
    await writeFile(together, `${(await renderDir(join(kubernetesDir, 'crds'))).yaml}---\n${production}`);
    const same = ofRule(await findings([...args, together]), 'crd-same-apply').map((f) => f.message);
    assert.deepEqual(same.map((m) => /^(\w+) "([\w-]+)" is applied together with CustomResourceDefinition "([\w.]+)"/.exec(m)?.slice(1, 4).join(' ')).sort(), [
      'IngressRoute poll-weighted ingressroutes.traefik.io',
      // Traefik's rate and in-flight limits in front of poll and result (overlays/production/middlewares.yaml).
      'Middleware poll-inflight middlewares.traefik.io',
      'Middleware poll-rate middlewares.traefik.io',
      'Middleware result-inflight middlewares.traefik.io',
      'Middleware result-rate middlewares.traefik.io',
      'TraefikService poll-weighted traefikservices.traefik.io',
    ]);
  });

  it('row 8: the production Traefik keeps routes without ready pods for Ingresses and IngressRoutes alike', async () => {
    const production = (await renderDir(productionDir)).yaml;
    const args = ['--profile', 'production', '--cluster', productionCluster, '--config', productionDeclaration];
    const fixed = join(work, 'production-empty.yaml');
    await writeFile(fixed, production);
    assert.deepEqual(ofRule(await findings([...args, fixed]), 'traefik-empty-backends'), []);
    const without = await mutated('production-no-empty.yaml', production, '        - --providers.kubernetesCRD.allowEmptyServices=true\n', '');
    const found = ofRule(await findings([...args, without]), 'traefik-empty-backends');
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.match(found[0]?.message ?? '', /without --providers\.kubernetescrd\.allowEmptyServices=true in front of Service\(s\) "bernstein\/poll"/);
  });
});
