import { containerRule, effective } from '../production.js';
import { text } from '../read.js';

export default containerRule({
  id: 'seccomp',
  description: 'Containers run with a seccomp profile (`RuntimeDefault` or `Localhost`), on the container or the pod.',
  remediation: 'Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.',
  includeInit: true,
  problem(c, pod) {
    const type = effective(c, pod, 'seccompProfile', 'type');
    return type === 'RuntimeDefault' || type === 'Localhost' ? undefined : { message: `no seccomp profile${type ? ` (${text(type)})` : ''}`, field: ['securityContext'] };
  },
});
