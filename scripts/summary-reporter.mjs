// node:test reporter that prints one closing line, "N passed, N failed[, N skipped]",
// counting test cases (not suites or files), so CI and people read the same number.
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { details, skip, todo } = event.data;
    if (details?.type === 'suite') continue;
    if (event.type === 'test:fail') {
      // A file that fails to load is reported as a failed test at the file level.
      failed++;
    } else if (skip || todo) skipped++;
    else passed++;
  }
  yield `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}
