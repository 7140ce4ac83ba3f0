import { CONFIGMAP_VARS } from '../bernstein.js';
import { misplacedVariables, PLACEMENT_KINDS } from '../env-placement.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-configmaps',
  description: 'Connection settings live in ConfigMaps — `REDIS_HOST` (redis.configmap.yaml) and `POSTGRES_HOST`, `POSTGRES_PORT`, `POSTGRES_DB` (postgres.configmap.yaml) — and poll, worker and result read them from there, not from literal `env` values.',
  remediation: 'Put the variables in the ConfigMaps and give them to the containers with `envFrom: [{configMapRef: {name: …}}]` or `valueFrom.configMapKeyRef`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: PLACEMENT_KINDS,
  reportsAbsence: true,
  check: (ctx) =>
    misplacedVariables(ctx, {
      kind: 'ConfigMap',
      variables: CONFIGMAP_VARS,
      // POSTGRES_PORT has a default in our schema but the course grades it as provided.
      needed: (_service, required) => (required.includes('POSTGRES_HOST') ? [...required, 'POSTGRES_PORT'] : required),
    }),
});
