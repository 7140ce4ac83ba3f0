/**
 * Renders `.env.example` from the service specifications, so the documented list of
 * variables can never drift from what the services read (a test compares the two).
 */
import type { EnvVar } from './schema.js';
import { serviceSpecs } from './variables.js';

export function renderEnvExample(): string {
  const byName = new Map<string, { v: EnvVar<unknown>; services: string[]; defaults: Set<string | undefined> }>();
  for (const [service, spec] of Object.entries(serviceSpecs)) {
    for (const v of Object.values(spec) as EnvVar<unknown>[]) {
      const entry = byName.get(v.name) ?? { v, services: [], defaults: new Set() };
      entry.services.push(service);
      entry.defaults.add(v.default);
      byName.set(v.name, entry);
    }
  }
  const lines = [
    '# Every environment variable Bernstein reads. Generated from packages/common/src/config/variables.ts',
    '# by `npm run env-example`; do not edit by hand. Values shown are the defaults.',
    '',
  ];
  for (const { v, services, defaults } of byName.values()) {
    const status = v.required ? 'required' : v.default !== undefined ? 'optional' : 'optional, unset by default';
    lines.push(`# ${v.description} (${status}${v.secret ? ', secret' : ''}; read by ${services.join(', ')})`);
    if (defaults.size > 1) {
      // The same variable with a different default per service (PORT): show each, set none.
      const perService = Object.entries(serviceSpecs)
        .flatMap(([service, spec]) => (Object.values(spec) as EnvVar<unknown>[]).filter((x) => x.name === v.name).map((x) => `${service} ${x.default}`))
        .join(', ');
      lines.push(`# defaults: ${perService}`, `# ${v.name}=`, '');
      continue;
    }
    // Host-dependent defaults (WORKER_NAME = host name) are shown empty.
    const shown = v.name === 'WORKER_NAME' ? '' : (v.default ?? '');
    lines.push(`${v.required || v.default !== undefined ? '' : '# '}${v.name}=${shown}`, '');
  }
  return lines.join('\n');
}
