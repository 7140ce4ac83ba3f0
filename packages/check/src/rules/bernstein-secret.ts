import { SECRET_VARS } from '../bernstein.js';
import { misplacedVariables, PLACEMENT_KINDS } from '../env-placement.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-secret',
  description: 'A Secret (postgres.secret.yaml) holds `POSTGRES_USER` and `POSTGRES_PASSWORD`, and worker and result read them from it.',
  remediation: 'Create the Secret with both keys (base64 in `data:` or plain in `stringData:`) and give it to the containers with `envFrom: [{secretRef: {name: …}}]` or `valueFrom.secretKeyRef`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: PLACEMENT_KINDS,
  reportsAbsence: true,
  check: (ctx) => misplacedVariables(ctx, { kind: 'Secret', variables: SECRET_VARS }),
});
