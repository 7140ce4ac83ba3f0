import { at, list } from '../read.js';
import { containerRule } from '../production.js';

export default containerRule({
  id: 'drop-capabilities',
  description: 'Containers drop all Linux capabilities (and add back only what they need).',
  remediation: 'Set `securityContext.capabilities.drop: [ALL]`; add single capabilities (e.g. NET_BIND_SERVICE) only when required.',
  includeInit: true,
  problem(c) {
    const drop = list(at(c.c, 'securityContext', 'capabilities', 'drop'));
    return drop.map(String).some((d) => d.toUpperCase() === 'ALL') ? undefined : { message: 'capabilities are not dropped (drop: [ALL])', field: ['securityContext'] };
  },
});
