// Writes docs/rules.md from the rules' metadata (`npm run docs -w @bernstein/check`).
import { writeFileSync } from 'node:fs';
import { renderRulesDoc } from '../src/docs.js';
import { allRules } from '../src/rules/index.js';

writeFileSync(new URL('../docs/rules.md', import.meta.url), renderRulesDoc(allRules));
