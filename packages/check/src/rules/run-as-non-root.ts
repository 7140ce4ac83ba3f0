import { containerRule, effective } from '../production.js';

export default containerRule({
  id: 'run-as-non-root',
  description: 'Containers run as a non-root user (`runAsNonRoot: true` or a non-zero `runAsUser`, on the container or the pod).',
  remediation: 'Set `securityContext.runAsNonRoot: true` (and `runAsUser`, e.g. 1000 for the node user of our images) on the pod or container.',
  includeInit: true,
  problem(c, pod) {
    const user = effective(c, pod, 'runAsUser');
    if (typeof user === 'number') return user === 0 ? { message: 'runs as user 0 (root)', field: ['securityContext'] } : undefined;
    return effective(c, pod, 'runAsNonRoot') === true ? undefined : { message: 'may run as root (runAsNonRoot is not true)', field: ['securityContext'] };
  },
});
