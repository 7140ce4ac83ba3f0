// One data-driven test for every rule: its `pass` fixture yields no finding of the rule, its
// `fail` fixture yields findings. When the rule has `<variant>.expected.txt` next to the fixture
// (written by `npm run expected -w @bernstein/check -- <rule-id>`, then reviewed), the findings
// must be exactly those lines (file:line and full message); the lines marked
// `# expect: <rule-id>` must carry a finding in any case, and no other line may. Variants
// (`pass-<what>`, `fail-<what>`, e.g. with a bernstein-check.yaml declaring external objects)
// are held to the same standard.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GRADING_CATEGORIES } from '../src/bernstein.js';
import { checkUnits } from '../src/engine.js';
import { ANY_KIND } from '../src/kinds.js';
import { loadUnits } from '../src/load/inputs.js';
import { allRules } from '../src/rules/index.js';
import { files, fixtures, formatFinding, markedLines, readExpected, runFixture, variants } from './rule-fixtures.js';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('rules against their fixtures', () => {
  for (const rule of allRules) {
    for (const variant of variants(rule.id, 'pass')) {
      it(`${rule.id}: ${variant} fixture has no finding`, async () => {
        const findings = await runFixture(join(fixtures, rule.id, variant), rule.id);
        assert.deepEqual(findings.map(formatFinding), []);
      });
    }
    for (const variant of variants(rule.id, 'fail')) {
      it(`${rule.id}: ${variant} fixture has findings`, async () => {
        const dir = join(fixtures, rule.id, variant);
        const findings = await runFixture(dir, rule.id);
        assert.ok(findings.length > 0, `no ${rule.id} finding in ${dir}`);
        for (const f of findings) {
          assert.equal(f.rule, rule.id);
          assert.equal(f.severity, rule.severity);
          assert.ok(f.message.length > 0);
        }
        const expected = readExpected(rule.id, variant);
        if (expected) assert.deepEqual(findings.map(formatFinding), expected, `findings differ from ${rule.id}/${variant}.expected.txt`);
        const marked = markedLines(dir, rule.id);
        if (marked.size > 0) {
          const got = new Set(findings.filter((f) => f.fieldLine !== undefined).map((f) => `${f.file}:${f.fieldLine}`));
          assert.deepEqual([...got].sort(), [...marked].sort());
        }
      });
    }
  }
});

describe('rules report on the kinds they declare', () => {
  it('every finding about an object is about an object of a kind its rule declares', async () => {
    const dirs = [...new Set(readdirSync(fixtures).flatMap((id) => readdirSync(join(fixtures, id)).filter((v) => /^(pass|fail)(-|$)/.test(v)).map((v) => join(fixtures, id, v))))];
    const deployments = join(here, 'fixtures', 'deployments');
    dirs.push(...readdirSync(deployments).map((d) => join(deployments, d)));
    const byId = new Map(allRules.map((r) => [r.id, r]));
    const wrong = new Set<string>();
    let checked = 0;
    for (const dir of dirs) {
      const findings = await checkUnits(await loadUnits([dir], { cwd: here }), { profiles: ['bernstein', 'production'] });
      for (const f of findings) {
        if (f.kind === undefined) continue; // about a file or the unit
        checked++;
        const kinds = byId.get(f.rule)?.kinds ?? [];
        if (!kinds.includes(ANY_KIND) && !kinds.includes(f.kind)) wrong.add(`${f.rule} reports on a ${f.kind} but declares ${kinds.join(', ')} (${f.file}:${f.fieldLine})`);
      }
    }
    assert.deepEqual([...wrong], []);
    assert.ok(checked > 100, `only ${checked} findings about objects`);
  });
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
