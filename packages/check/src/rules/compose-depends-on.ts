import { composeServices } from '../compose.js';
import { COMPOSE } from '../kinds.js';
import { at, isRecord } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'compose-depends-on',
  description: "In a compose file, every `depends_on` target is a service of the file, and dependencies on databases wait for their health check (`condition: service_healthy`).",
  remediation: 'Fix the service name in `depends_on`; use the long form `depends_on: {postgres: {condition: service_healthy}}` and give the dependency a `healthcheck`.',
  severity: 'error',
  profiles: ['core'],
  kinds: [COMPOSE],
  *check({ unit }) {
    for (const compose of unit.compose) {
      const services = composeServices(compose);
      const names = new Set(services.map(([n]) => n));
      for (const [name, s] of services) {
        const dep = s.depends_on;
        const targets: string[] = Array.isArray(dep) ? dep.map(String) : isRecord(dep) ? Object.keys(dep) : [];
        for (const t of targets) {
          const path = ['services', name, 'depends_on', Array.isArray(dep) ? targets.indexOf(t) : t];
          if (!names.has(t)) {
            yield { compose, path, message: `service "${name}" depends on "${t}", which is not a service of this file` };
            continue;
          }
          const target = services.find(([n]) => n === t)?.[1];
          const condition = at(dep, t, 'condition');
          if (target?.healthcheck !== undefined && condition !== 'service_healthy' && condition !== 'service_completed_successfully') {
            yield { compose, path, message: `service "${name}" starts as soon as "${t}" starts, not when it is healthy (condition: service_healthy)` };
          }
        }
      }
    }
  },
});
