/**
 * `bernstein check` (packages/check) on every render: no error-level finding anywhere, and
 * no finding at all for the Bernstein profile on the base.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '@bernstein/check';
import { kubernetesDir, OVERLAYS, renderAll, renderDir } from '../src/index.js';

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
  });
  after(async () => {
    await rm(renders, { recursive: true, force: true });
  });

  it('finds nothing in the base with the Bernstein profile', async () => {
    const r = await check(['--profile', 'bernstein', join(kubernetesDir, 'base')]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /No findings/);
  });

  it('finds no error in the base with both profiles', async () => {
    const r = await check(['--profile', 'bernstein', '--profile', 'production', join(kubernetesDir, 'base')]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /0 error\(s\)/);
  });

  it('finds no error in any overlay with the production profile', async () => {
    for (const o of OVERLAYS) {
      const r = await check(['--profile', 'production', join(kubernetesDir, 'overlays', o)]);
      assert.equal(r.code, 0, `${o}:\n${r.out}`);
    }
  });

  it('finds no error in the restore Job applied beside the base', async () => {
    const file = join(renders, 'base-with-restore.yaml');
    const restore = await readFile(join(kubernetesDir, 'ops', 'postgres-restore.job.yaml'), 'utf8');
    await writeFile(file, `${(await renderDir(join(kubernetesDir, 'base'))).yaml}---\n${restore}`);
    const r = await check(['--profile', 'production', file]);
    assert.equal(r.code, 0, r.out);
  });

  it('finds no error in any rendered combination or side-by-side instance', async () => {
    assert.ok(names.length > 50);
    const failures: string[] = [];
    for (const name of names) {
      const r = await check(['--profile', 'production', join(renders, `${name}.yaml`)]);
      if (r.code !== 0) failures.push(`${name}:\n${r.out}`);
    }
    assert.deepEqual(failures, []);
  });
});
