/**
 * Renders every overlay, every component combination of the base and three instances side
 * by side into one directory (a YAML file each), for CI and `bernstein check`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentCombinations, OVERLAYS } from './layout.js';
import { renderCombination, renderInstance, renderOverlay, type Rendered } from './render.js';

export const SIDE_BY_SIDE_INSTANCES = [1, 2, 3] as const;

export async function renderAll(outDir: string, onRender?: (name: string, r: Rendered) => void): Promise<Map<string, Rendered>> {
  const results = new Map<string, Rendered>();
  const work = await mkdtemp(join(tmpdir(), 'bernstein-kustomize-'));
  try {
    const jobs: [string, () => Promise<Rendered>][] = [
      ...OVERLAYS.map((o): [string, () => Promise<Rendered>] => [`overlay-${o}`, () => renderOverlay(o)]),
      ...componentCombinations().map((c): [string, () => Promise<Rendered>] => [c.name, () => renderCombination(work, c)]),
      ...SIDE_BY_SIDE_INSTANCES.map((n): [string, () => Promise<Rendered>] => [`instance-${n}`, () => renderInstance(work, n)]),
    ];
    await mkdir(outDir, { recursive: true });
    for (const [name, render] of jobs) {
      const r = await render();
      await writeFile(join(outDir, `${name}.yaml`), r.yaml);
      results.set(name, r);
      onRender?.(name, r);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return results;
}
