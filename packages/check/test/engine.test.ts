import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkUnits, ruleContext, selectRules } from '../src/engine.js';
import type { K8sObject, Rule, Unit } from '../src/model.js';
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
    const json = JSON.parse(renderJson(findings)) as { summary: Record<string, number> };
    assert.equal(json.summary.warning, findings.length);
    const text = renderText(findings, { colour: false });
    assert.equal(text.split('\n').filter((l) => l.endsWith('app.yaml')).length, 1, 'one heading per file');
    assert.match(text, /finding\(s\): 0 error\(s\), \d+ warning\(s\)/);
  });

  it('runs a rule only on units with inputs of its kinds, and indexes objects by kind', async () => {
    const object = (kind: string, name: string): K8sObject => ({ apiVersion: 'v1', kind, name, namespace: undefined, data: { kind, metadata: { name } }, file: 'x.yaml', line: 1, lineOf: () => 1 });
    const unit: Unit = { root: '.', fileNames: ['x.yaml'], isDirectory: false, objects: [object('ConfigMap', 'a'), object('Service', 's'), object('ConfigMap', 'b')], compose: [], dockerfiles: [], problems: [] };
    const ran: string[] = [];
    const rule = (id: string, kinds: string[], reportsAbsence = false): Rule => ({
      id, description: '', remediation: '', severity: 'warning', profiles: ['core'], kinds, reportsAbsence,
      *check(ctx) {
        ran.push(id);
        for (const o of ctx.objectsOf(...kinds)) yield { object: o, message: `${id} saw ${o.kind}/${o.name}` };
      },
    });
    const rules = [rule('on-configmaps', ['ConfigMap']), rule('on-pods', ['Pod']), rule('on-compose', ['compose']), rule('on-any', ['*']), rule('absence', ['Pod'], true)];
    const findings = await checkUnits([unit], { profiles: [], rules });
    assert.deepEqual(ran, ['on-configmaps', 'on-any'], 'a rule reporting absence skips a unit that runs nothing');
    ran.length = 0;
    await checkUnits([{ ...unit, objects: [...unit.objects, object('Deployment', 'd')] }], { profiles: [], rules });
    assert.deepEqual(ran, ['on-configmaps', 'on-any', 'absence'], 'and runs on one with a workload but none of its kinds');
    assert.deepEqual(findings.filter((f) => f.rule === 'on-configmaps').map((f) => f.message), ['on-configmaps saw ConfigMap/a', 'on-configmaps saw ConfigMap/b']);
    const ctx = ruleContext(unit, new Map());
    assert.deepEqual(ctx.objectsOf('Service', 'ConfigMap').map((o) => o.name), ['a', 's', 'b'], 'several kinds keep the input order');
    assert.deepEqual(ctx.objectsOf('*').length, 3);
    assert.deepEqual(ctx.objectsOf('Pod'), []);
    assert.deepEqual(ctx.run.objectsOf('ConfigMap').map((o) => o.name), ['a', 'b'], 'alone, a unit is its whole run');
  });

  it('gives each unit the whole run as ctx.run, and its own objects as ctx.objectsOf', async () => {
    const object = (kind: string, name: string): K8sObject => ({ apiVersion: 'v1', kind, name, namespace: undefined, data: { kind, metadata: { name } }, file: `${name}.yaml`, line: 1, lineOf: () => 1 });
    const unit = (root: string, ...objects: K8sObject[]): Unit => ({ root, fileNames: [], isDirectory: true, objects, compose: [], dockerfiles: [], problems: [] });
    const seen: string[] = [];
    const rule: Rule = {
      id: 'sees-run', description: '', remediation: '', severity: 'warning', profiles: ['core'], kinds: ['ConfigMap', 'Secret'],
      check(ctx) {
        seen.push(`${ctx.unit.root}: own ${ctx.objectsOf('ConfigMap', 'Secret').map((o) => o.name).join(',')}; run ${ctx.run.objectsOf('ConfigMap', 'Secret').map((o) => o.name).join(',')}`);
        return [];
      },
    };
    await checkUnits([unit('crds', object('ConfigMap', 'a')), unit('app', object('Secret', 's'), object('ConfigMap', 'b'))], { profiles: [], rules: [rule] });
    assert.deepEqual(seen, ['crds: own a; run a,s,b', 'app: own s,b; run a,s,b']);
  });
});
