#!/usr/bin/env node
// Runs every test file of the monorepo with node:test, from TypeScript sources.
// Usage: node scripts/run-tests.mjs [path-or-substring ...]
// Workspace packages resolve to their sources through the "source" export condition,
// and NODE_OPTIONS carries that to every process a test spawns (services, CLIs).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testRoots = ['packages', 'services', 'tests', 'bench'];

function findTests(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'fixtures') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findTests(path, out);
    else if (entry.name.endsWith('.test.ts') && path.includes(`${'/'}test${'/'}`)) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
const all = testRoots
  .filter((d) => statSync(join(root, d), { throwIfNoEntry: false })?.isDirectory())
  .flatMap((d) => findTests(join(root, d), []))
  .sort();
const files = filters.length === 0 ? all : all.filter((f) => filters.some((flt) => relative(root, f).includes(flt)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(2);
}

const nodeOptions = [process.env.NODE_OPTIONS ?? '', '--conditions=source', '--import=tsx', '--enable-source-maps']
  .join(' ')
  .trim();
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=180000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'summary-reporter.mjs')}`,
    '--test-reporter-destination=stdout',
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
