import { ANY_KIND } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'schema-unknown-field',
  description: 'No field the schema of the kind does not declare (a typo such as `replicaz: 3` or `contianerPort` is silently dropped by kubectl and the intended setting never applies).',
  remediation: 'Correct the spelling or the indentation of the field (a field one level too deep or too shallow is also unknown where it stands); `kubectl explain KIND.PARENT` lists the known fields.',
  severity: 'error',
  profiles: ['core'],
  kinds: [ANY_KIND],
  *check({ objectsOf, schema }) {
    for (const o of objectsOf(ANY_KIND)) {
      for (const path of schema.get(o)?.unknown ?? []) {
        const field = path[path.length - 1];
        const parent = path.slice(0, -1).join('.') || '(top level)';
        yield { object: o, path, message: `unknown field "${String(field)}" in ${parent}` };
      }
    }
  },
});
