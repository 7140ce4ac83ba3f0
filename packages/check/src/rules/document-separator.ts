import { ANY_KIND } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'document-separator',
  description: 'Two objects written in one YAML document (the `---` line between them forgotten): only one of them would be applied.',
  remediation: 'Put a line containing only `---` between the objects, e.g. between the PersistentVolume and the PersistentVolumeClaim.',
  severity: 'error',
  profiles: ['core'],
  kinds: [ANY_KIND],
  *check({ unit }) {
    for (const p of unit.problems) if (p.rule === 'document-separator') yield { file: p.file, line: p.line, message: p.message };
  },
});
