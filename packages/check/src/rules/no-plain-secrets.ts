import { containerLabel, containersOf } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import { at, record, records, str } from '../read.js';
import { secretVariables } from '../services.js';
import { defineRule } from './define.js';

const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

export default defineRule({
  id: 'no-plain-secrets',
  description: 'No secret value in a ConfigMap or in a literal `env` value: variables our schema marks secret (POSTGRES_USER, POSTGRES_PASSWORD, REDIS_PASSWORD, COOKIE_SECRET) and names like *PASSWORD, *TOKEN, *SECRET belong in Secrets.',
  remediation: 'Move the value into a Secret and reference it with `valueFrom.secretKeyRef` or `envFrom.secretRef`.',
  severity: 'error',
  profiles: ['production'],
  kinds: ['ConfigMap', ...POD_TEMPLATE_KINDS],
  *check({ objectsOf }) {
    const declared = secretVariables();
    const secret = (name: string) => declared.has(name) || SECRET_NAME.test(name);
    for (const cm of objectsOf('ConfigMap')) {
      for (const key of Object.keys(record(at(cm.data, 'data')))) if (secret(key)) yield { object: cm, path: ['data', key], message: `ConfigMap holds ${key}, a secret` };
    }
    for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
      for (const c of containersOf(o)) {
        for (const { value: e, index } of records(c.c.env)) {
          const name = str(e.name);
          if (name !== undefined && e.value !== undefined && e.value !== '' && secret(name)) {
            yield { object: o, path: [...c.path, 'env', index, 'value'], message: `${containerLabel(c)} sets ${name} as a literal value` };
          }
        }
      }
    }
  },
});
