import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseDockerfile } from '../src/load/dockerfile.js';
import { loadUnits } from '../src/load/inputs.js';
import { lineOfPath, parseYaml } from '../src/load/yaml.js';

const scratch = mkdtempSync(join(tmpdir(), 'bernstein-check-load-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('reading inputs', () => {
  it('keeps the line of every object and of fields inside lists', () => {
    const text = '# leading comment\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: one\n      image: x:1\n    - name: two\n      image: y:1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n';
    const { sources, problems } = parseYaml('f.yaml', text);
    assert.deepEqual(problems, []);
    assert.equal(sources.length, 2);
    const [pod, cm] = sources;
    assert.ok(pod && cm);
    assert.equal(pod.line, 2);
    assert.equal(cm.line, 13);
    assert.equal(lineOfPath(pod, ['spec', 'containers', 1, 'image']), 11);
    // A missing field falls back to its nearest present ancestor.
    assert.equal(lineOfPath(pod, ['spec', 'containers', 1, 'resources', 'limits']), 10);
    assert.equal(lineOfPath(pod, ['nothing']), 2);
  });

  it('unpacks List objects, treats compose files apart, and walks directories without node_modules or hidden folders', async () => {
    const dir = join(scratch, 'walk');
    mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
    mkdirSync(join(dir, '.github'), { recursive: true });
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(join(dir, 'list.yaml'), 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: b}\n');
    writeFileSync(join(dir, 'nested', 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27.3\n');
    writeFileSync(join(dir, 'nested', 'Dockerfile'), 'FROM node:22\nUSER node\n');
    writeFileSync(join(dir, 'settings.yml'), 'just: settings\n');
    writeFileSync(join(dir, 'node_modules', 'x', 'bad.yaml'), 'a: [\n');
    writeFileSync(join(dir, '.github', 'ci.yaml'), 'a: [\n');
    const [unit, ...rest] = await loadUnits([dir], { cwd: scratch });
    assert.equal(rest.length, 0);
    assert.ok(unit);
    assert.deepEqual(unit.objects.map((o) => `${o.kind}/${o.name}@${o.line}`), ['ConfigMap/a@4', 'ConfigMap/b@7']);
    assert.deepEqual(unit.compose.map((c) => c.file), [join('walk', 'nested', 'compose.yaml')]);
    assert.deepEqual(unit.dockerfiles.map((d) => d.file), [join('walk', 'nested', 'Dockerfile')]);
    assert.deepEqual(unit.problems, []);
    assert.equal(unit.isDirectory, true);
    assert.deepEqual([...unit.fileNames].sort(), ['list.yaml', 'settings.yml']);
  });

  it('a YAML file named explicitly must hold Kubernetes objects', async () => {
    const file = join(scratch, 'settings.yaml');
    writeFileSync(file, 'just: settings\n');
    const [unit] = await loadUnits([file], { cwd: scratch });
    assert.deepEqual(unit?.problems.map((p) => `${p.rule}:${p.line} ${p.message}`), ['yaml-syntax:1 not a Kubernetes object: apiVersion and kind are missing']);
  });

  it('reports a forgotten --- once, as document-separator, not as a cascade of duplicate keys', () => {
    const { problems } = parseYaml('v.yaml', 'apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: a\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: b\n');
    assert.deepEqual(problems.map((p) => `${p.rule}:${p.line}`), ['document-separator:5']);
  });

  it('reads Dockerfile instructions with continuation lines and comments', () => {
    const d = parseDockerfile('Dockerfile', '# syntax=docker/dockerfile:1\nFROM node:22 AS build\nRUN apt-get update \\\n  # a comment inside\n  && apt-get install -y curl\n\nuser node\nCMD ["node", "dist/server.js"]\n');
    assert.deepEqual(d.instructions.map((i) => `${i.line} ${i.instruction} ${i.args}`), [
      '2 FROM node:22 AS build',
      '3 RUN apt-get update && apt-get install -y curl',
      '7 USER node',
      '8 CMD ["node", "dist/server.js"]',
    ]);
  });
});
