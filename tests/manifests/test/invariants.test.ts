/**
 * The invariants catch what they claim to: each case breaks one thing in a copy of the base
 * and expects exactly that problem to be reported.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubernetesDir, renderDir } from '../lib/index.js';
import { allInvariants } from './invariants.js';

let work: string;

async function mutated(file: string, from: string | RegExp, to: string): Promise<string[]> {
  const dir = await mkdtemp(join(work, 'base-'));
  await cp(join(kubernetesDir, 'base'), dir, { recursive: true });
  const text = await readFile(join(dir, file), 'utf8');
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, `the mutation of ${file} did not apply`);
  await writeFile(join(dir, file), changed);
  return allInvariants((await renderDir(dir)).objects);
}

describe('production invariants', () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'bernstein-mutations-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('hold on the unmodified base', async () => {
    assert.deepEqual(allInvariants((await renderDir(join(kubernetesDir, 'base'))).objects), []);
  });

  const cases: [string, string, string | RegExp, string, RegExp][] = [
    ['replicas without anti-affinity', 'poll.deployment.yaml', 'requiredDuringSchedulingIgnoredDuringExecution', 'preferredDuringSchedulingIgnoredDuringExecution', /Deployment poll: replicas may share a node/],
    ['an unknown variable', 'poll.deployment.yaml', '- name: LOG_LEVEL', '- name: REDIS_HOTS', /REDIS_HOTS is not a variable of poll/],
    ['a missing Secret', 'worker.deployment.yaml', /secretRef:\n\s+name: redis-worker\n(\s+readinessProbe)/, 'secretRef:\n                name: postgress\n$1', /envFrom Secret postgress does not exist/],
    ['a required variable missing', 'result.deployment.yaml', /configMapRef:\n\s+name: postgres\n((?:\s+#.*\n)*\s+- secretRef:\n\s+name: postgres-result\n\s+readinessProbe)/, 'configMapRef:\n                name: redis\n$1', /required POSTGRES_HOST is missing/],
    ['a secret in a ConfigMap', 'postgres.configmap.yaml', 'POSTGRES_DB: bernstein', 'POSTGRES_DB: bernstein\n  POSTGRES_PASSWORD: oops', /secret POSTGRES_PASSWORD does not come from a Secret/],
    ['a grace period shorter than shutdown', 'result.deployment.yaml', 'terminationGracePeriodSeconds: 25', 'terminationGracePeriodSeconds: 10', /grace period 10000 ms does not cover/],
    ['a writable root filesystem', 'redis.deployment.yaml', 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false', /redis container redis: root filesystem not read-only/],
    ['a moving image tag', 'traefik.deployment.yaml', 'traefik:v3.6.15', 'traefik:latest', /image traefik:latest uses a moving tag/],
    ['a Service selecting nothing', 'poll.service.yaml', 'app: poll\n  ports', 'app: pol\n  ports', /Service default\/poll selects no pods/],
    ['an Ingress to a missing port', 'result.ingress.yaml', 'name: http', 'name: https', /Service result has no port/],
    ['no readiness probe', 'worker.deployment.yaml', 'readinessProbe:', 'startupProbe:', /worker container worker: no readiness probe/],
    ['a surge rollout with one pod per node required', 'poll.deployment.yaml', 'maxSurge: 0', 'maxSurge: 1', /Deployment poll: a rollout's extra pod finds no free node/],
    ['a rollout that takes both replicas down', 'result.deployment.yaml', 'maxUnavailable: 1', 'maxUnavailable: 2', /Deployment result: a rollout in place must keep a replica serving/],
    ['a replicated service without a disruption budget', 'pdb.yaml', /matchLabels:\n(\s+)app: result/, 'matchLabels:\n$1app: nothing', /Deployment result: replicated without a PodDisruptionBudget/],
  ];
  for (const [what, file, from, to, expected] of cases) {
    it(`report ${what}`, async () => {
      const problems = await mutated(file, from, to);
      assert.ok(problems.some((p) => expected.test(p)), `expected ${String(expected)} in:\n${problems.join('\n')}`);
    });
  }
});
