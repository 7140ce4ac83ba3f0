// Shared by rules.test.ts and scripts/expected.ts: how a rule's fixture is checked, and how its
// findings are written in `<variant>.expected.txt` (next to the variant directory, so fixtures
// that are links to a shared deployment still have one expectation per rule).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkUnits } from '../src/engine.js';
import { loadUnits } from '../src/load/inputs.js';
import type { Finding } from '../src/model.js';

export const fixtures = fileURLToPath(new URL('fixtures/rules/', import.meta.url));

export function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** `pass`/`fail` and their variants `pass-*`/`fail-*`. */
export function variants(id: string, kind: 'pass' | 'fail'): string[] {
  const dir = join(fixtures, id);
  if (!existsSync(dir)) return [kind];
  return readdirSync(dir)
    .filter((n) => (n === kind || n.startsWith(`${kind}-`)) && statSync(join(dir, n)).isDirectory())
    .sort();
}

/**
 * A fixture that targets another Kubernetes release than the default holds it in a file
 * `kubernetes-version` (e.g. `1.21`), as `--kubernetes-version` would give it.
 */
export const KUBERNETES_VERSION_FILE = 'kubernetes-version';

/** The findings of one rule on one fixture directory, paths shown relative to that directory. */
export async function runFixture(dir: string, id: string): Promise<Finding[]> {
  const units = await loadUnits([dir], { cwd: dir });
  const versionFile = join(dir, KUBERNETES_VERSION_FILE);
  const kubernetesVersion = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : undefined;
  return checkUnits(units, { profiles: ['bernstein', 'production'], only: [id], ...(kubernetesVersion !== undefined ? { kubernetesVersion } : {}) });
}

/** One line of an expected.txt: `file:line message` (`file message` for a unit-level finding). */
export function formatFinding(f: Finding): string {
  return `${f.file}${f.fieldLine !== undefined ? `:${f.fieldLine}` : ''} ${f.message}`;
}

export function expectedFile(id: string, variant: string): string {
  return join(fixtures, id, `${variant}.expected.txt`);
}

/** The expected lines, or undefined when the fixture has no expected.txt (markers only). */
export function readExpected(id: string, variant: string): string[] | undefined {
  const path = expectedFile(id, variant);
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

/** Lines marked `# expect: <rule-id>`, as `file:line` relative to the fixture directory. */
export function markedLines(dir: string, id: string): Set<string> {
  const out = new Set<string>();
  for (const f of files(dir)) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = /#\s*expect:\s*([\w\s,-]+)$/.exec(line);
        if (m && (m[1] ?? '').split(/[\s,]+/).includes(id)) out.add(`${relative(dir, f)}:${i + 1}`);
      });
  }
  return out;
}
