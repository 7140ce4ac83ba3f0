import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { COMPONENTS, COURSE_FILES, componentCombinations, instance, instanceKustomization, instanceNamespace, kubernetesDir, OVERLAYS } from '../lib/index.js';

const base = join(kubernetesDir, 'base');

describe('deployment layout', () => {
  it('has the 19 course files at the root of base/, each listed in its kustomization', () => {
    assert.equal(COURSE_FILES.length, 19);
    const kustomization = parse(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    for (const f of COURSE_FILES) {
      assert.ok(existsSync(join(base, f)), `${f} missing from base/`);
      assert.ok(kustomization.resources.includes(f), `${f} not in base/kustomization.yaml`);
    }
  });

  it('lists every YAML file of base/ in its kustomization (nothing silently left out)', () => {
    const kustomization = parse(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    const files = readdirSync(base).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    assert.deepEqual([...files].sort(), [...kustomization.resources].sort());
  });

  it('gives every component a kustomization of kind Component and a README', () => {
    for (const c of COMPONENTS) {
      const dir = join(kubernetesDir, 'components', c);
      const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { kind: string };
      assert.equal(k.kind, 'Component', c);
      assert.ok(readFileSync(join(dir, 'README.md'), 'utf8').length > 200, `${c}/README.md is too short`);
    }
    assert.deepEqual(readdirSync(join(kubernetesDir, 'components')).sort(), [...COMPONENTS].sort());
  });

  it('renders every subset of components except app-only with canary', () => {
    const combos = componentCombinations();
    assert.equal(combos.length, 2 ** COMPONENTS.length - 2 ** (COMPONENTS.length - 2));
    assert.ok(combos.some((c) => c.name === 'base'));
    assert.ok(!combos.some((c) => c.components.includes('app-only') && c.components.includes('canary')));
    assert.equal(new Set(combos.map((c) => c.name)).size, combos.length);
  });

  it('keeps overlays/instance-2 identical to the instance template', () => {
    const dir = join(kubernetesDir, 'overlays', 'instance-2');
    assert.equal(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'), instanceKustomization(2));
    assert.equal(readFileSync(join(dir, 'namespace.yaml'), 'utf8'), instanceNamespace(2));
    assert.deepEqual(readdirSync(join(kubernetesDir, 'overlays')).sort(), [...OVERLAYS].sort());
  });

  it('rejects an instance number that is not a whole number from 1 to 9999', () => {
    for (const bad of [0, -1, 1.5, 10000, Number.NaN]) assert.throws(() => instance(bad), /instance number must be/);
    assert.equal(instance(7).namespace, 'bernstein-7');
  });
});
