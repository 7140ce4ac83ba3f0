#!/usr/bin/env node
// Runs every test file of the monorepo with node:test, from TypeScript sources.
// Usage: node scripts/run-tests.mjs [path-or-substring ...]
// Workspace packages resolve to their sources through the "source" export condition,
// and NODE_OPTIONS carries that to every process a test spawns (services, CLIs).
// Files run TEST_CONCURRENCY at a time (default 3: on 2 cores many files wait on servers,
// browsers and podman, and 3 ran the suite about a fifth faster than 2), longest first (as the
// last run on this machine measured them, see summary-reporter.mjs), so that no long file
// starts last and runs alone.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testRoots = ['packages', 'services', 'tests', 'bench', 'scripts'];

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

// How long each file took in the last run here (written by summary-reporter.mjs); without a
// record (a fresh clone), the files known to be slow go first. Only the order depends on it.
const durationsFile = join(root, 'node_modules', '.cache', 'bernstein', 'test-durations.json');
const KNOWN_SLOW = {
  'tests/containers/test/compose-run.test.ts': 45,
  'tests/containers/test/images.test.ts': 45,
  'services/result/test/pages.browser.test.ts': 35,
  'tests/containers/test/smoke.test.ts': 32,
  'tests/manifests/test/check.test.ts': 27,
  'services/poll/test/hostile.property.test.ts': 25,
  'services/poll/test/views/pages-a11y.browser.test.ts': 23,
  'bench/test/smoke.test.ts': 22,
  'tests/e2e/test/chaos.test.ts': 22,
  'tests/manifests/test/cluster-model.test.ts': 21,
  'packages/check/test/robustness.test.ts': 20,
  'packages/local/test/up.test.ts': 20,
};
let durations = KNOWN_SLOW;
try {
  durations = { ...KNOWN_SLOW, ...JSON.parse(readFileSync(durationsFile, 'utf8')) };
} catch {
  // no record yet
}
const estimate = (f) => durations[relative(root, f)] ?? 3;
files.sort((a, b) => estimate(b) - estimate(a));

// The TypeScript loader is passed as a file URL: NODE_OPTIONS splits on spaces, a URL has none.
const tsLoader = pathToFileURL(join(root, 'scripts', 'ts-loader', 'register.mjs')).href;
const nodeOptions = [process.env.NODE_OPTIONS ?? '', '--conditions=source', `--import=${tsLoader}`, '--enable-source-maps']
  .join(' ')
  .trim();
const concurrency = process.env.TEST_CONCURRENCY ?? '3';
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
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions, TEST_DURATIONS_FILE: durationsFile } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
