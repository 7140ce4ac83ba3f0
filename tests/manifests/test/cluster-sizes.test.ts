/**
 * The cluster sizes in docs/operations.md and deploy/kubernetes/README.md are the analysis'
 * own: each carries, between its markers, exactly the table lib/cluster-sizes.ts computes with
 * `bernstein check`'s cluster model (reprint it with `npm run cluster-sizes -w
 * @bernstein/manifests-tests`). The numbers that matter most are asserted here as well, so a
 * change to the manifests that shrinks what they fit is seen as such, not only as a stale table.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { computeClusterSizes, sizesBlockOf, sizesMarkdown, type UnitSizes } from '../lib/cluster-sizes.js';
import { kubernetesDir } from '../lib/index.js';

const repoDir = join(kubernetesDir, '..', '..');
const DOCS = ['docs/operations.md', 'deploy/kubernetes/README.md'] as const;

describe('cluster sizes in the docs', () => {
  let sizes: UnitSizes[];
  before(async () => {
    sizes = await computeClusterSizes();
  });

  for (const doc of DOCS) {
    it(`${doc} carries the table the cluster model computes`, async () => {
      const block = sizesBlockOf(await readFile(join(repoDir, doc), 'utf8'));
      assert.ok(block, `${doc} has no cluster-sizes block`);
      assert.equal(block, sizesMarkdown(sizes), `${doc} is stale: reprint the table with npm run cluster-sizes -w @bernstein/manifests-tests`);
    });
  }

  it('every overlay fits the course cluster (2 workers); both production HPAs at 20 need 4 such workers', () => {
    assert.deepEqual(
      sizes.map((s) => `${s.unit}: ${s.minimumWorkers} / ${s.minimumWorkersAtMaximum ?? '-'}`),
      ['base: 2 / -', 'overlays/local: 2 / -', 'overlays/production: 2 / 4', 'overlays/instance-2: 2 / -', 'base+autoscaling: 2 / 3'],
    );
  });

  it('production: each HPA maximum fits alone on 3 schedulable nodes, poll 19 of 20 on 2; together they need more than the course cluster', () => {
    const production = sizes.find((s) => s.unit === 'overlays/production');
    assert.ok(production);
    const row = (preset: keyof UnitSizes['hpa']) => production.hpa[preset].map((h) => `${h.target} ${h.fit}/${h.fitTogether} of ${h.maxReplicas}`);
    // On 2 workers of 2 CPU, with result at its minimum (3) beside, the 20th poll pod has no room.
    assert.deepEqual(row('default'), ['poll 19/20 of 20', 'result 20/12 of 20']);
    assert.deepEqual(row('kind'), ['poll 19/20 of 20', 'result 20/12 of 20']);
    assert.deepEqual(row('k3d'), ['poll 20/20 of 20', 'result 20/20 of 20']);
    assert.deepEqual(row('production'), ['poll 20/20 of 20', 'result 20/20 of 20']);
  });
});
