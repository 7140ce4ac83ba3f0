import { containerRule } from '../production.js';

export default containerRule({
  id: 'probes',
  description: 'Every long-running container has a readiness probe (traffic only when ready) and a liveness probe (restart when stuck).',
  remediation: 'Add `readinessProbe` and `livenessProbe`; our services serve `GET /readyz` and `GET /healthz` on their ops port (OPS_PORT, default 8080: declare it as a container port named `ops` and probe `port: ops`; no Ingress routes it); Redis and PostgreSQL can use `exec` with `redis-cli --user <probe user> ping` (with ACLs on, an anonymous ping is refused) / `pg_isready`.',
  includeInit: false,
  problem(c, _pod, o) {
    if (o.kind === 'Job' || o.kind === 'CronJob') return undefined;
    const missing = ['readinessProbe', 'livenessProbe'].filter((p) => c.c[p] === undefined);
    return missing.length > 0 ? { message: `no ${missing.join(' and ')}` } : undefined;
  },
});
