import { POSTGRES_DATA, workloadOf } from '../bernstein.js';
import { byKind, containersOf, findObject, isRecord, namespaceOf, podTemplate } from '../k8s.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-volume',
  description: "PostgreSQL's data survives its pod: a PersistentVolume and a PersistentVolumeClaim exist, and the postgres Deployment mounts a volume from the claim at `/var/lib/postgresql/data` (or `/var/lib/postgresql`, where PostgreSQL 18 images keep it).",
  remediation: 'Declare the PersistentVolume and PersistentVolumeClaim (separated by `---`) in postgres.volume.yaml, add a `persistentVolumeClaim` volume to the postgres pod and mount it at `/var/lib/postgresql/data`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['PersistentVolume', 'PersistentVolumeClaim', 'Deployment'],
  *check({ unit }) {
    if (unit.objects.length === 0) return;
    if (byKind(unit.objects, 'PersistentVolume').length === 0) yield { file: unit.root, message: 'no PersistentVolume' };
    if (byKind(unit.objects, 'PersistentVolumeClaim').length === 0) yield { file: unit.root, message: 'no PersistentVolumeClaim' };
    const pg = workloadOf(unit.objects, 'postgres');
    const t = pg ? podTemplate(pg) : undefined;
    if (!pg || !t) return;
    const volumes: unknown[] = Array.isArray(t.spec.volumes) ? t.spec.volumes : [];
    const claimVolumes = volumes.filter((v) => isRecord(v) && isRecord(v.persistentVolumeClaim) && findObject(unit.objects, 'PersistentVolumeClaim', String(v.persistentVolumeClaim.claimName), namespaceOf(pg))).map((v) => (v as { name: string }).name);
    const mounted = containersOf(pg, false).some(({ c }) => Array.isArray(c.volumeMounts) && c.volumeMounts.some((m: unknown) => isRecord(m) && claimVolumes.includes(m.name) && POSTGRES_DATA.includes(String(m.mountPath).replace(/\/$/, ''))));
    if (!mounted) yield { object: pg, path: [...t.specPath, 'volumes'], message: 'postgres does not mount a PersistentVolumeClaim volume at /var/lib/postgresql/data' };
  },
});
