import { byKind, containersOf, isRecord } from '../k8s.js';
import { secretVariables } from '../services.js';
import { defineRule } from './define.js';

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

export default defineRule({
  id: 'no-plain-secrets',
  description: 'No secret value in a ConfigMap or in a literal `env` value: variables our schema marks secret (POSTGRES_USER, POSTGRES_PASSWORD, REDIS_PASSWORD, COOKIE_SECRET) and names like *PASSWORD, *TOKEN, *SECRET belong in Secrets.',
  remediation: 'Move the value into a Secret and reference it with `valueFrom.secretKeyRef` or `envFrom.secretRef`.',
  severity: 'error',
  profiles: ['production'],
  kinds: ['ConfigMap', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'],
  *check({ unit }) {
    const declared = secretVariables();
    const secret = (name: string) => declared.has(name) || SECRET_NAME.test(name);
    for (const cm of byKind(unit.objects, 'ConfigMap')) {
      const data = isRecord(cm.data?.data) ? cm.data.data : {};
      for (const key of Object.keys(data)) if (secret(key)) yield { object: cm, path: ['data', key], message: `ConfigMap holds ${key}, a secret` };
    }
    for (const o of unit.objects) {
      for (const { c, path } of containersOf(o)) {
        const env: unknown[] = Array.isArray(c.env) ? c.env : [];
        for (const [i, e] of env.entries()) {
          if (isRecord(e) && typeof e.name === 'string' && e.value !== undefined && e.value !== '' && secret(e.name)) {
            yield { object: o, path: [...path, 'env', i, 'value'], message: `container "${c.name ?? '?'}" sets ${e.name} as a literal value` };
          }
        }
      }
    }
  },
});
