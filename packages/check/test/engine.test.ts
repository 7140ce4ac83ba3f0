import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkUnits, selectRules } from '../src/engine.js';
import { loadUnits } from '../src/load/inputs.js';
import { renderJson } from '../src/render/json.js';
import { renderText } from '../src/render/text.js';
import { fileURLToPath } from 'node:url';

const naked = fileURLToPath(new URL('fixtures/deployments/naked', import.meta.url));

describe('engine', () => {
  it('selects core rules always and profile rules on request; config overrides severity and turns rules off', () => {
    const ids = (profiles: ('bernstein' | 'production')[]) => new Set(selectRules({ profiles }).map((r) => r.rule.id));
    assert.ok(ids(['production']).has('schema-unknown-field'));
    assert.ok(ids(['production']).has('probes'));
    assert.ok(!ids(['production']).has('bernstein-replicas'));
    assert.ok(ids(['bernstein']).has('bernstein-replicas'));
    assert.ok(!ids(['bernstein']).has('probes'));
    const sel = selectRules({ profiles: ['production'], config: { rules: { probes: 'off', pdb: 'error' } } });
    assert.ok(!sel.some((r) => r.rule.id === 'probes'));
    assert.equal(sel.find((r) => r.rule.id === 'pdb')?.severity, 'error');
  });

  it('findings carry rule, severity, docs link, file, object and field lines, sorted by file and line', async () => {
    const units = await loadUnits([naked]);
    const findings = await checkUnits(units, { profiles: ['production'] });
    assert.ok(findings.length > 5);
    for (const f of findings) {
      assert.match(f.docsUrl, new RegExp(`rules\\.md#${f.rule}$`));
      assert.equal(f.kind, 'Deployment');
      assert.equal(f.name, 'api');
      assert.equal(f.line, 1);
      assert.ok((f.fieldLine ?? 0) >= 1);
    }
    const lines = findings.map((f) => f.fieldLine ?? 0);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    const json = JSON.parse(renderJson(findings));
    assert.equal(json.summary.warning, findings.length);
    const text = renderText(findings, { colour: false });
    assert.equal(text.split('\n').filter((l) => l.endsWith('app.yaml')).length, 1, 'one heading per file');
    assert.match(text, /finding\(s\): 0 error\(s\), \d+ warning\(s\)/);
  });
});
