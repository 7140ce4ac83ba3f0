// --format junit (parsed back with a strict little XML reader) and --kubernetes-version.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GRADING_CATEGORIES } from '../src/bernstein.js';
import { runCli } from './run-cli.js';
import { escapeXml, renderJunit } from '../src/render/junit.js';
import type { Finding, Rule } from '../src/model.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const broken = join(here, 'fixtures', 'deployments', 'bernstein-broken');

const check = (args: string[]) => runCli(args, here);

interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  if (/[<]|&(?!(amp|lt|gt|quot|apos);)/.test(s)) throw new Error(`unescaped markup in ${JSON.stringify(s)}`);
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? '');
}

/** A strict reader for the subset JUnit uses: declaration, elements, attributes, text. */
function parseXml(xml: string): XmlElement {
  const rest = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const token = /<\/([\w-]+)>|<([\w-]+)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  const root: XmlElement = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = token.exec(rest)) !== null) {
    consumed = token.lastIndex;
    const top = stack[stack.length - 1];
    if (!top) throw new Error('unbalanced');
    if (m[1] !== undefined) {
      if (top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2] !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of (m[3] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) {
        if (Object.hasOwn(attrs, a[1] ?? '')) throw new Error(`duplicate attribute ${a[1]}`);
        attrs[a[1] ?? ''] = decode(a[2] ?? '');
      }
      const el: XmlElement = { name: m[2], attrs, children: [], text: '' };
      top.children.push(el);
      if (m[4] !== '/') stack.push(el);
    } else {
      top.text += decode(m[5] ?? '');
    }
  }
  if (consumed !== rest.length) throw new Error(`not well-formed at ${JSON.stringify(rest.slice(consumed, consumed + 40))}`);
  if (stack.length !== 1 || root.children.length !== 1 || root.text.trim() !== '') throw new Error('expected exactly one root element');
  const [doc] = root.children;
  if (!doc) throw new Error('no root');
  return doc;
}

describe('--format junit', () => {
  it('one testsuite per grading category, one testcase per requirement, failures carrying the findings', async () => {
    const r = await check(['--profile', 'bernstein', '--format', 'junit', broken]);
    assert.equal(r.code, 1);
    const doc = parseXml(r.out);
    assert.equal(doc.name, 'testsuites');
    const suites = doc.children;
    assert.deepEqual(suites.slice(0, Object.keys(GRADING_CATEGORIES).length).map((s) => s.attrs.name), Object.keys(GRADING_CATEGORIES));
    for (const [category, ids] of Object.entries(GRADING_CATEGORIES)) {
      const suite = suites.find((s) => s.attrs.name === category);
      assert.ok(suite);
      assert.deepEqual(suite.children.map((c) => c.attrs.name), [...ids]);
      assert.equal(suite.attrs.tests, String(ids.length));
      assert.equal(suite.attrs.failures, String(suite.children.filter((c) => c.children.some((x) => x.name === 'failure')).length));
    }
    // The other rules of the run (core, further bernstein requirements) have suites of their own.
    const names = suites.map((s) => s.attrs.name);
    assert.ok(names.includes('core') && names.includes('bernstein (other requirements)'), names.join(', '));
    const all = suites.flatMap((s) => s.children);
    assert.equal(doc.attrs.tests, String(all.length));
    assert.equal(new Set(all.map((c) => c.attrs.name)).size, all.length, 'each rule once');
    const replicas = all.find((c) => c.attrs.name === 'bernstein-replicas');
    assert.deepEqual(replicas?.children.map((f) => [f.name, f.attrs.type, f.attrs.message]), [['failure', 'error', 'result runs 0 replica(s); the profile asks for 2']]);
    assert.match(replicas?.children[0]?.text ?? '', /^fixtures\/deployments\/bernstein-broken\/result\.deployment\.yaml:8 \(Deployment\/result\): result runs 0 replica\(s\)/);
    const passing = all.find((c) => c.attrs.name === 'bernstein-files');
    assert.deepEqual(passing?.children, []);
  });

  it('escapes what XML reserves and drops what it forbids', () => {
    const rule: Rule = { id: 'x', description: 'd', remediation: 'fix <it> & "go"', severity: 'error', profiles: ['core'], kinds: ['*'], check: () => [] };
    const message = `a <b> & "c" 'd' \u0001e`;
    const f: Finding = { rule: 'x', severity: 'error', message, file: 'a&b.yaml', line: 1, fieldLine: 2, docsUrl: '' };
    const doc = parseXml(renderJunit([f], [rule]));
    const failure = doc.children[0]?.children[0]?.children[0];
    assert.equal(failure?.attrs.message, `a <b> & "c" 'd' e`);
    assert.equal(failure?.text.split('\n')[0], `a&b.yaml:2: a <b> & "c" 'd' e`);
    assert.equal(escapeXml('<&>"\''), '&lt;&amp;&gt;&quot;&apos;');
  });
});

describe('--kubernetes-version', () => {
  it('accepts major.minor (and v-prefixed patch versions)', async () => {
    const r = await check(['--kubernetes-version', 'v1.31.4', '--format', 'json', broken]);
    assert.equal(r.err, '');
    assert.equal(r.code, 1);
  });

  for (const bad of ['1', '2.0', '1.x', 'latest', '']) {
    it(`rejects ${JSON.stringify(bad)} as a usage error (exit 2) naming the problem`, async () => {
      const r = await check(['--kubernetes-version', bad, broken]);
      assert.equal(r.code, 2);
      assert.match(r.err, new RegExp(`^bernstein check: --kubernetes-version "${bad.replace(/\./g, '\\.')}" is not a Kubernetes version such as 1\\.34`));
      assert.equal(r.out, '');
    });
  }
});
