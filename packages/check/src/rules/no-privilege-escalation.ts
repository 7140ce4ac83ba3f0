import { at } from '../read.js';
import { containerRule } from '../production.js';

export default containerRule({
  id: 'no-privilege-escalation',
  description: 'Containers forbid privilege escalation (setuid binaries cannot gain rights) and are not privileged.',
  remediation: 'Set `securityContext.allowPrivilegeEscalation: false` and remove `privileged: true`.',
  includeInit: true,
  problem(c) {
    if (at(c.c, 'securityContext', 'privileged') === true) return { message: 'runs privileged', field: ['securityContext', 'privileged'] };
    return at(c.c, 'securityContext', 'allowPrivilegeEscalation') === false ? undefined : { message: 'allowPrivilegeEscalation is not false', field: ['securityContext'] };
  },
});
