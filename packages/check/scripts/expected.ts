// Writes `<variant>.expected.txt` for the fail fixtures of the rules named, from the checker's
// current findings: review the diff before committing, since the test compares against it.
// Usage: npm run expected -w @bernstein/check -- <rule-id> [...]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allRules } from '../src/rules/index.js';
import { expectedFile, fixtures, formatFinding, runFixture, variants } from '../test/rule-fixtures.js';

const ids = process.argv.slice(2);
if (ids.length === 0) {
  console.error('usage: expected.ts <rule-id> [...]');
  process.exit(2);
}
for (const id of ids) {
  if (!allRules.some((r) => r.id === id)) {
    console.error(`unknown rule ${id}`);
    process.exit(2);
  }
  for (const variant of variants(id, 'fail')) {
    const findings = await runFixture(join(fixtures, id, variant), id);
    const header = `# ${id} on ${variant}/: every finding, exactly (file:line message). Regenerate: npm run expected -w @bernstein/check -- ${id}\n`;
    writeFileSync(expectedFile(id, variant), header + findings.map((f) => `${formatFinding(f)}\n`).join(''));
    console.log(`${id}/${variant}.expected.txt: ${findings.length} finding(s)`);
  }
}
