import { composeEnv, composeServiceOf, composeServices } from '../compose.js';
import { COMPOSE } from '../kinds.js';
import { requiredVariables } from '../services.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'compose-env',
  description: "In a compose file, our services (poll, worker, result, migrate; recognised by image, build context or service name) get every variable their configuration schema requires, through `environment` or `env_file`.",
  remediation: 'Add the missing variables under `environment:` (or in the `env_file`), e.g. `REDIS_HOST: redis` for poll.',
  severity: 'error',
  profiles: ['core'],
  kinds: [COMPOSE],
  *check({ unit }) {
    for (const compose of unit.compose) {
      for (const [name, s] of composeServices(compose)) {
        const service = composeServiceOf(name, s);
        if (!service) continue;
        const given = composeEnv(compose, s);
        const missing = requiredVariables(service).filter((v) => !given.has(v));
        if (missing.length > 0) yield { compose, path: ['services', name], message: `service "${name}" runs ${service} but is not given ${missing.join(', ')}` };
      }
    }
  },
});
