import { ANY_KIND } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'yaml-syntax',
  description: 'Every file parses as YAML (no syntax errors, no duplicate keys) and every file named explicitly holds Kubernetes objects.',
  remediation: 'Fix the YAML at the reported line: indentation, quoting, a duplicated key. A YAML linter or `kubectl apply --dry-run=client -f FILE` shows the same error.',
  severity: 'error',
  profiles: ['core'],
  kinds: [ANY_KIND],
  *check({ unit }) {
    for (const p of unit.problems) if (p.rule === 'yaml-syntax') yield { file: p.file, line: p.line, message: p.message };
  },
});
