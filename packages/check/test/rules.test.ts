// One data-driven test for every rule: its `pass` fixture yields no finding of the rule, its
// `fail` fixture yields at least one, on exactly the lines marked `# expect: <rule-id>` when the
// fixture marks any for that rule. Variants (`pass-<what>`, `fail-<what>`, e.g. with a
// bernstein-check.yaml declaring external objects) are held to the same standard.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GRADING_CATEGORIES } from '../src/bernstein.js';
import { checkUnits } from '../src/engine.js';
import { loadUnits } from '../src/load/inputs.js';
import { allRules } from '../src/rules/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = join(here, 'fixtures', 'rules');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Lines marked for a rule, keyed by the file path as the checker shows it. */
function markedLines(dir: string, id: string, cwd: string): Set<string> {
  const out = new Set<string>();
  for (const f of files(dir)) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = /#\s*expect:\s*([\w\s,-]+)$/.exec(line);
        if (m && (m[1] ?? '').split(/[\s,]+/).includes(id)) out.add(`${relative(cwd, f)}:${i + 1}`);
      });
  }
  return out;
}

async function run(dir: string, id: string) {
  const units = await loadUnits([dir], { cwd: here });
  return checkUnits(units, { profiles: ['bernstein', 'production'], only: [id] });
}

/** `pass`/`fail` and their variants `pass-*`/`fail-*`. */
function variants(id: string, kind: 'pass' | 'fail'): string[] {
  const dir = join(fixtures, id);
  if (!existsSync(dir)) return [kind];
  return readdirSync(dir).filter((n) => n === kind || n.startsWith(`${kind}-`)).sort();
}

describe('rules against their fixtures', () => {
  for (const rule of allRules) {
    for (const variant of variants(rule.id, 'pass')) {
      it(`${rule.id}: ${variant} fixture has no finding`, async () => {
        const findings = await run(join(fixtures, rule.id, variant), rule.id);
        assert.deepEqual(findings.map((f) => `${f.file}:${f.fieldLine} ${f.message}`), []);
      });
    }
    for (const variant of variants(rule.id, 'fail')) {
      it(`${rule.id}: ${variant} fixture has findings`, async () => {
        const dir = join(fixtures, rule.id, variant);
        const findings = await run(dir, rule.id);
        assert.ok(findings.length > 0, `no ${rule.id} finding in ${dir}`);
        for (const f of findings) {
          assert.equal(f.rule, rule.id);
          assert.equal(f.severity, rule.severity);
          assert.ok(f.message.length > 0);
        }
        const expected = markedLines(dir, rule.id, here);
        if (expected.size > 0) {
          const got = new Set(findings.filter((f) => f.fieldLine !== undefined).map((f) => `${f.file}:${f.fieldLine}`));
          assert.deepEqual([...got].sort(), [...expected].sort());
        }
      });
    }
  }
});

describe('rule metadata', () => {
  it('every rule has fixtures, a description, a remediation, kinds and a unique id', () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const r of allRules) {
      if (ids.has(r.id)) problems.push(`${r.id}: duplicate id`);
      ids.add(r.id);
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(r.id)) problems.push(`${r.id}: id is not kebab-case`);
      if (r.remediation.trim().length < 20) problems.push(`${r.id}: remediation missing or too short`);
      if (r.description.trim().length < 20) problems.push(`${r.id}: description missing or too short`);
      if (r.kinds.length === 0) problems.push(`${r.id}: no kinds`);
      if (r.profiles.length === 0) problems.push(`${r.id}: no profile`);
      for (const kind of ['pass', 'fail']) {
        const dir = join(fixtures, r.id, kind);
        if (!existsSync(dir) || files(dir).length === 0) problems.push(`${r.id}: no ${kind} fixture (${relative(here, dir)})`);
      }
    }
    for (const dir of readdirSync(fixtures)) if (!ids.has(dir)) problems.push(`fixtures for unknown rule ${dir}`);
    assert.deepEqual(problems, []);
  });

  it('the grading categories name existing rules', () => {
    const ids = new Set(allRules.map((r) => r.id));
    for (const [category, rules] of Object.entries(GRADING_CATEGORIES)) for (const id of rules) assert.ok(ids.has(id), `${category}: unknown rule ${id}`);
  });

  it('every rule file under src/rules is registered', () => {
    const srcRules = readdirSync(join(here, '..', 'src', 'rules'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'define.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    assert.deepEqual(srcRules, allRules.map((r) => r.id).sort());
  });
});
