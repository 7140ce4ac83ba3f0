import { containerLabel, containersOf, labelsOf, namespaceOf, podTemplate } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import { isRecord, records, str } from '../read.js';
import { resolveRef } from '../refs.js';
import { requiredVariables, serviceOf } from '../services.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'service-env',
  description: "Containers of Bernstein's services (poll, worker, result, and the migrate job; recognised by image name or the `app.kubernetes.io/name` label) receive every variable their configuration schema marks required (e.g. REDIS_HOST for poll), from `env` or `envFrom` (the keys of a ConfigMap/Secret declared `external` count).",
  remediation: 'Provide the missing variables, preferably with `envFrom` from the ConfigMap (hosts, ports, database name) and the Secret (POSTGRES_USER, POSTGRES_PASSWORD). Without them the service exits at start with code 78.',
  severity: 'error',
  profiles: ['core'],
  kinds: POD_TEMPLATE_KINDS,
  *check({ unit, external = [], objectsOf }) {
    for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
      const t = podTemplate(o);
      if (!t) continue;
      const labels = { ...labelsOf(o), ...t.labels };
      for (const c of containersOf(o)) {
        const service = serviceOf(c, labels);
        if (!service) continue;
        const given = new Set<string>();
        for (const { value: e } of records(c.c.env)) {
          const name = str(e.name);
          if (name !== undefined) given.add(name);
        }
        for (const { value: e } of records(c.c.envFrom)) {
          const prefix = str(e.prefix) ?? '';
          const ref = isRecord(e.configMapRef) ? ['ConfigMap', e.configMapRef.name] : isRecord(e.secretRef) ? ['Secret', e.secretRef.name] : undefined;
          if (!ref) continue;
          for (const k of resolveRef(unit.objects, external, String(ref[0]), String(ref[1]), namespaceOf(o))?.keys ?? []) given.add(prefix + k);
        }
        const missing = requiredVariables(service).filter((v) => !given.has(v));
        if (missing.length > 0) {
          yield { object: o, path: c.path, message: `${containerLabel(c)} runs the ${service} service but is not given ${missing.join(', ')}` };
        }
      }
    }
  },
});
