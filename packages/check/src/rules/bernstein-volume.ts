import { POSTGRES_DATA, workloadOf } from '../bernstein.js';
import { containersOf, findObject, namespaceOf, podTemplate, volumesOf } from '../k8s.js';
import { SERVICE_WORKLOAD_KINDS, STORAGE_KINDS } from '../kinds.js';
import { at, records, text } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-volume',
  description: "PostgreSQL's data survives its pod: a PersistentVolume and a PersistentVolumeClaim exist, and the postgres Deployment mounts a volume from the claim at `/var/lib/postgresql/data` (or `/var/lib/postgresql`, where PostgreSQL 18 images keep it).",
  remediation: 'Declare the PersistentVolume and PersistentVolumeClaim (separated by `---`) in postgres.volume.yaml, add a `persistentVolumeClaim` volume to the postgres pod and mount it at `/var/lib/postgresql/data`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: [...STORAGE_KINDS, ...SERVICE_WORKLOAD_KINDS],
  reportsAbsence: true,
  *check({ unit, objectsOf }) {
    if (unit.objects.length === 0) return;
    if (objectsOf('PersistentVolume').length === 0) yield { file: unit.root, message: 'no PersistentVolume' };
    const claims = objectsOf('PersistentVolumeClaim');
    if (claims.length === 0) yield { file: unit.root, message: 'no PersistentVolumeClaim' };
    const pg = workloadOf(objectsOf(...SERVICE_WORKLOAD_KINDS), 'postgres');
    const t = pg ? podTemplate(pg) : undefined;
    if (!pg || !t) return;
    const claimVolumes = volumesOf(t)
      .filter(({ value: v }) => {
        const claim = at(v, 'persistentVolumeClaim', 'claimName');
        return claim !== undefined && findObject(claims, 'PersistentVolumeClaim', text(claim), namespaceOf(pg)) !== undefined;
      })
      .map(({ value: v }) => v.name);
    const mounted = containersOf(pg, false).some(({ c }) => records(c.volumeMounts).some(({ value: m }) => claimVolumes.includes(m.name) && POSTGRES_DATA.includes(String(m.mountPath).replace(/\/$/, ''))));
    if (!mounted) yield { object: pg, path: [...t.specPath, 'volumes'], message: 'postgres does not mount a PersistentVolumeClaim volume at /var/lib/postgresql/data' };
  },
});
