import { at } from '../read.js';
import { containerRule } from '../production.js';

export default containerRule({
  id: 'resources',
  description: 'Every container sets CPU and memory requests (so the scheduler places it) and a memory limit (so one leak cannot starve the node).',
  remediation: 'Set `resources.requests.cpu`, `resources.requests.memory` and `resources.limits.memory` from measured usage.',
  includeInit: true,
  problem(c) {
    const missing = [
      ['requests', 'cpu'],
      ['requests', 'memory'],
      ['limits', 'memory'],
    ].filter((field) => at(c.c, 'resources', ...field) === undefined);
    return missing.length > 0 ? { message: `missing ${missing.map((m) => m.join('.')).join(', ')}`, field: ['resources'] } : undefined;
  },
});
