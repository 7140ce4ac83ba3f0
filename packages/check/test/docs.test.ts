import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderRulesDoc } from '../src/docs.js';
import { allRules } from '../src/rules/index.js';

it('docs/rules.md is generated from the current rule metadata (run `npm run docs -w @bernstein/check`)', () => {
  const committed = readFileSync(new URL('../docs/rules.md', import.meta.url), 'utf8');
  assert.equal(committed, renderRulesDoc(allRules));
  for (const r of allRules) assert.ok(committed.includes(`## ${r.id}\n`), `no section for ${r.id}`);
});
