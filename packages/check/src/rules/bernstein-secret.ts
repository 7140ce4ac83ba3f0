import { SECRET_VARS } from '../bernstein.js';
import { dataKeys, envSource } from '../env.js';
import { byKind, containersOf, labelsOf, namespaceOf, podTemplate } from '../k8s.js';
import { requiredVariables, serviceOf } from '../services.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-secret',
  description: 'A Secret (postgres.secret.yaml) holds `POSTGRES_USER` and `POSTGRES_PASSWORD`, and worker and result read them from it.',
  remediation: 'Create the Secret with both keys (base64 in `data:` or plain in `stringData:`) and give it to the containers with `envFrom: [{secretRef: {name: …}}]` or `valueFrom.secretKeyRef`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['Secret', 'Deployment'],
  *check({ unit, external = [] }) {
    if (unit.objects.length === 0) return;
    const keys = new Set(byKind(unit.objects, 'Secret').flatMap(dataKeys));
    for (const v of SECRET_VARS) if (!keys.has(v)) yield { file: unit.root, message: `no Secret defines ${v}` };
    for (const o of unit.objects) {
      const t = podTemplate(o);
      if (!t) continue;
      for (const { c, path } of containersOf(o)) {
        const service = serviceOf(c, { ...labelsOf(o), ...t.labels });
        if (!service) continue;
        for (const v of requiredVariables(service).filter((x) => SECRET_VARS.includes(x))) {
          const src = envSource(unit.objects, namespaceOf(o), c, v, external);
          if (src !== 'secret') yield { object: o, path, message: `${service} container "${c.name ?? '?'}" gets ${v} ${src === undefined ? 'from nowhere' : `from ${src === 'literal' ? 'a literal env value' : `a ${src}`}`}; it belongs in a Secret` };
        }
      }
    }
  },
});
