// Rules read user input of any shape: a field of an unexpected type must give findings (from
// the schema rules), never a crash. Every field of the complete deployment is replaced, one at
// a time, by values of other types, and all rules run on the result.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkUnits, ruleContext } from '../src/engine.js';
import { loadUnits } from '../src/load/inputs.js';
import type { K8sObject, Path, Unit } from '../src/model.js';
import { allRules } from '../src/rules/index.js';

const complete = fileURLToPath(new URL('fixtures/deployments/bernstein-complete', import.meta.url));
const ODD: unknown[] = ['x', 7, [], null];

function paths(v: unknown, prefix: Path = []): Path[] {
  if (v === null || typeof v !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => [[...prefix, k], ...paths(x, [...prefix, k])]);
}

function replaced(data: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let node = copy;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

it('no rule throws on fields of unexpected types', async () => {
  const [unit] = await loadUnits([complete]);
  assert.ok(unit);
  let runs = 0;
  const failures = new Map<string, string>();
  let reported = 0;
  for (const [i, o] of unit.objects.entries()) {
    for (const path of paths(o.data)) {
      for (const value of ODD) {
        const mutated: K8sObject = { ...o, data: replaced(o.data, path, value) };
        const u: Unit = { ...unit, objects: unit.objects.map((x, j) => (j === i ? mutated : x)) };
        // One context for all rules, as the engine builds it (checkUnits).
        const ctx = ruleContext(u, new Map());
        for (const rule of allRules) {
          try {
            reported += Array.from(rule.check(ctx)).length;
          } catch (err) {
            const first = (err as Error).stack?.split('\n').slice(0, 2).join(' ') ?? String(err);
            failures.set(`${rule.id}: ${first}`, `${o.kind}/${o.name} ${path.join('.')} = ${JSON.stringify(value)}`);
          }
        }
        runs++;
      }
    }
  }
  assert.deepEqual([...failures].map(([e, where]) => `${e} (e.g. ${where})`), []);
  assert.ok(reported > 0, 'the mutations produced no finding at all');
  assert.ok(runs > 1000, `only ${runs} mutations`);
});

it('truncated YAML files give findings, never a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bernstein-check-trunc-'));
  try {
    const texts = readdirSync(complete).map((f) => readFileSync(join(complete, f), 'utf8'));
    let n = 0;
    for (const text of texts) {
      for (let cut = 5; cut < text.length; cut += 41) writeFileSync(join(dir, `${n++}.yaml`), text.slice(0, cut));
    }
    const units = await loadUnits([dir]);
    const findings = await checkUnits(units, { profiles: ['bernstein', 'production'] });
    assert.ok(findings.some((f) => f.rule === 'yaml-syntax' || f.rule === 'schema-invalid'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
