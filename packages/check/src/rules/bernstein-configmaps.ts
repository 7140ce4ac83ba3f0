import { CONFIGMAP_VARS } from '../bernstein.js';
import { envSource, dataKeys } from '../env.js';
import { byKind, containersOf, labelsOf, namespaceOf, podTemplate } from '../k8s.js';
import { requiredVariables, serviceOf } from '../services.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-configmaps',
  description: 'Connection settings live in ConfigMaps — `REDIS_HOST` (redis.configmap.yaml) and `POSTGRES_HOST`, `POSTGRES_PORT`, `POSTGRES_DB` (postgres.configmap.yaml) — and poll, worker and result read them from there, not from literal `env` values.',
  remediation: 'Put the variables in the ConfigMaps and give them to the containers with `envFrom: [{configMapRef: {name: …}}]` or `valueFrom.configMapKeyRef`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['ConfigMap', 'Deployment'],
  *check({ unit, external = [] }) {
    if (unit.objects.length === 0) return;
    const keys = new Set(byKind(unit.objects, 'ConfigMap').flatMap(dataKeys));
    for (const v of CONFIGMAP_VARS) if (!keys.has(v)) yield { file: unit.root, message: `no ConfigMap defines ${v}` };
    for (const o of unit.objects) {
      const t = podTemplate(o);
      if (!t) continue;
      for (const { c, path } of containersOf(o)) {
        const service = serviceOf(c, { ...labelsOf(o), ...t.labels });
        if (!service) continue;
        const needed = requiredVariables(service).filter((v) => CONFIGMAP_VARS.includes(v));
        // POSTGRES_PORT has a default in our schema but the course grades it as provided.
        if (needed.includes('POSTGRES_HOST')) needed.push('POSTGRES_PORT');
        for (const v of needed) {
          const src = envSource(unit.objects, namespaceOf(o), c, v, external);
          if (src !== 'configmap') yield { object: o, path, message: `${service} container "${c.name ?? '?'}" gets ${v} ${src === undefined ? 'from nowhere' : `from ${src === 'literal' ? 'a literal env value' : `a ${src}`}`}; it belongs in a ConfigMap` };
        }
      }
    }
  },
});
