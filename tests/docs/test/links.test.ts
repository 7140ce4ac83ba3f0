import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { brokenCodeCitations, brokenMarkdownLinks, formatBroken, repositoryFiles } from '../lib/links.js';
import { anchorsOf, linksOf, slug } from '../lib/markdown.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('reading Markdown', () => {
  it('gives headings the anchors GitHub gives them', () => {
    assert.equal(slug('Promise 2: results are live and cheap to read'), 'promise-2-results-are-live-and-cheap-to-read');
    assert.equal(slug('Run it, test it'), 'run-it-test-it');
    assert.equal(slug('Check a deployment: `bernstein check`'), 'check-a-deployment-bernstein-check');
    assert.equal(slug('Build & run'), 'build--run');
    assert.equal(slug('See [the ADR](adr/0001.md) on port_80'), 'see-the-adr-on-port_80');
    assert.equal(slug('Überblick'), 'überblick');
  });

  it('numbers repeated headings, ignores headings in code, and knows <a id> anchors', () => {
    const text = ['# Guide', '## Step', '## Step', '```sh', '# not a heading', '```', '<a id="kept"></a>', '### Step ##'].join('\n');
    assert.deepEqual([...anchorsOf(text)].sort(), ['guide', 'kept', 'step', 'step-1', 'step-2']);
  });

  it('finds inline, nested, reference and HTML links with their lines, not those in code', () => {
    const text = [
      'See [a](a.md) and [![b](b.png)](c.md#top).',
      '`[not](code.md)` and ``[nor](this.md)``',
      '~~~',
      '[fenced](fenced.md)',
      '~~~',
      '[ref]: d.md "title"',
      '<img src="e.svg" alt="">',
      '[title](f.md "a title")',
    ].join('\n');
    assert.deepEqual(linksOf(text), [
      { target: 'a.md', line: 1 },
      { target: 'b.png', line: 1 },
      { target: 'c.md#top', line: 1 },
      { target: 'd.md', line: 6 },
      { target: 'e.svg', line: 7 },
      { target: 'f.md', line: 8 },
    ]);
  });
});

describe('finding broken links', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bernstein-links-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  // Paths assembled at run time so that this file cites nothing missing itself.
  const missing = ['docs', 'gone.md'].join('/');
  write('README.md', '# Project\n\n[guide](docs/guide.md#set-up) [folder](docs/) [top](#project) [web](https://example.org/x.md)\n');
  write('docs/guide.md', `# Guide\n\n## Set up\n\n[back](../README.md)\n[lost](${missing})\n[wrong anchor](../README.md#nowhere)\n[outside](../../elsewhere.md)\n[self](#set-up)\n`);
  write('src/app.ts', `// see docs/guide.md#set-up and README.md\nconst a = '${missing}';\nconst b = 'docs/guide.md#${'tear-down'}';\n// ${['NOTES', 'md'].join('.')} and https://example.org/${'remote'}.md\n`);
  write('src/short.sh', `# ADR: ${['docs', 'adr', '0001'].join('/')}; chart: ${['docs', 'images', 'chart.svg'].join('/')}\n`);
  write('docs/adr/0001-first-decision.md', '# 0001\n');
  write('test/fixtures/bad.md', `[ignored](${missing})\n`);

  it('lists the files of a folder without git, leaving test fixtures out', () => {
    assert.deepEqual(repositoryFiles(dir), ['README.md', 'docs/adr/0001-first-decision.md', 'docs/guide.md', 'src/app.ts', 'src/short.sh']);
  });

  it('reports each Markdown link whose file, folder or anchor is missing, or that leaves the repository', () => {
    assert.deepEqual(brokenMarkdownLinks(dir, repositoryFiles(dir)), [
      { file: 'docs/guide.md', line: 6, target: missing, reason: 'no such file or directory' },
      { file: 'docs/guide.md', line: 7, target: '../README.md#nowhere', reason: 'no heading or anchor "#nowhere" in README.md' },
      { file: 'docs/guide.md', line: 8, target: '../../elsewhere.md', reason: 'points outside the repository' },
    ]);
  });

  it('reports documents and docs/ paths cited in code that do not exist or lack the anchor, not URLs; accepts the ADR short form', () => {
    assert.deepEqual(brokenCodeCitations(dir, repositoryFiles(dir)), [
      { file: 'src/app.ts', line: 2, target: missing, reason: 'no such file in this folder or any folder above it' },
      { file: 'src/app.ts', line: 3, target: 'docs/guide.md#tear-down', reason: 'no heading or anchor "#tear-down" in docs/guide.md' },
      { file: 'src/app.ts', line: 4, target: 'NOTES.md', reason: 'no file of that name in the repository' },
      { file: 'src/short.sh', line: 1, target: 'docs/images/chart.svg', reason: 'no such file or folder in this folder or any folder above it' },
    ]);
  });
});

describe('this repository', () => {
  const files = repositoryFiles(root);

  it('has Markdown files to check (the walk found the docs)', () => {
    for (const doc of ['README.md', 'docs/architecture.md', 'docs/bernstein-profile.md']) assert.ok(files.includes(doc), doc);
  });

  it('every relative link in every Markdown file resolves, anchors included', () => {
    const broken = brokenMarkdownLinks(root, files);
    assert.equal(broken.length, 0, `broken links:\n${formatBroken(broken)}`);
  });

  it('every Markdown document cited in code, scripts and manifests exists', () => {
    const broken = brokenCodeCitations(root, files);
    assert.equal(broken.length, 0, `broken citations:\n${formatBroken(broken)}`);
  });
});
