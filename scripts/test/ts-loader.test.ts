/**
 * The test runner's TypeScript loader (scripts/ts-loader/): every test process and every
 * service a test starts runs through it, so it must read the sources as tsc means them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const loader = new URL('../ts-loader/register.mjs', import.meta.url).href;
let dir = '';

/** Runs `file` of the temporary project with the loader alone (no tsx, no other options). */
function run(file: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--enable-source-maps', `--import=${loader}`, join(dir, file)], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

describe('the TypeScript loader of the test runner', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bernstein-ts-loader-'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'shape.ts'), 'export interface Shape { sides: number }\nexport const square = (s: number): Shape => ({ sides: s * 0 + 4 });\n');
    writeFileSync(join(dir, 'plain.js'), 'export const plain = "js";\n');
    writeFileSync(
      join(dir, 'main.ts'),
      [
        "import type { Shape } from './shape.js';",
        "import { square } from './shape.js';",
        "import { plain } from './plain.js';",
        'class Box { readonly label: string | undefined; }',
        'const s: Shape = square(2);',
        "console.log(JSON.stringify({ sides: s.sides, plain, ownField: Object.hasOwn(new Box(), 'label') }));",
      ].join('\n'),
    );
    writeFileSync(join(dir, 'throws.ts'), ['type Never = never;', '', 'function fail(): Never {', "  throw new Error('from line 4');", '}', 'fail();'].join('\n'));
    writeFileSync(join(dir, 'broken.ts'), 'const x: = 1;\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('strips types, maps ./x.js to x.ts, leaves real .js files alone, and defines class fields as tsc does', () => {
    const r = run('main.ts');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { sides: 4, plain: 'js', ownField: true });
  });

  it('reports errors at the line of the TypeScript source', () => {
    const r = run('throws.ts');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /throws\.ts:4:\d+/, r.stderr);
  });

  it('refuses a file that is not TypeScript, naming the file', () => {
    const r = run('broken.ts');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /broken\.ts/, r.stderr);
  });
});
