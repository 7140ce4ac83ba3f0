// node:test reporter that prints one closing line, "N passed, N failed[, N skipped]",
// counting test cases (not suites or files), so CI and people read the same number.
// Before it, the slowest test files of the run. With TEST_DURATIONS_FILE set (run-tests.mjs
// sets it), it also records how long each file's tests took, merged into that JSON file, so
// the next run can start the longest files first.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

const SLOWEST_SHOWN = 8;

export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  /** Seconds per file: the sum of its top-level tests and suites (they run one after another). */
  const fileSeconds = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { details, skip, todo, nesting, file } = event.data;
    if (nesting === 0 && file !== undefined) {
      fileSeconds.set(file, (fileSeconds.get(file) ?? 0) + (details?.duration_ms ?? 0) / 1000);
    }
    if (details?.type === 'suite') continue;
    if (event.type === 'test:fail') {
      // A file that fails to load is reported as a failed test at the file level.
      failed++;
    } else if (skip || todo) skipped++;
    else passed++;
  }
  const slowest = [...fileSeconds].sort((a, b) => b[1] - a[1]).slice(0, SLOWEST_SHOWN);
  if (fileSeconds.size > SLOWEST_SHOWN) {
    yield `\nslowest test files:\n${slowest.map(([f, s]) => `${s.toFixed(1).padStart(7)} s  ${relative(process.cwd(), f)}`).join('\n')}\n`;
  }
  const record = process.env.TEST_DURATIONS_FILE;
  if (record) recordDurations(record, fileSeconds);
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}

/** Merges this run's durations (by path from the working directory) into the record. */
function recordDurations(path, fileSeconds) {
  try {
    let known = {};
    try {
      known = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      // no record yet, or an unreadable one: start again
    }
    for (const [file, seconds] of fileSeconds) known[relative(process.cwd(), file)] = Math.round(seconds * 10) / 10;
    mkdirSync(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}`;
    writeFileSync(partial, `${JSON.stringify(known, null, 1)}\n`);
    renameSync(partial, path);
  } catch {
    // Only the order of the next run depends on it.
  }
}
