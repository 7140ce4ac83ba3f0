import { CADVISOR_MOUNTS, workloadOf } from '../bernstein.js';
import { containersOf, isRecord, podTemplate, type Any } from '../k8s.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-cadvisor',
  description: 'The cAdvisor DaemonSet mounts exactly the five standard host paths read-only: `/` at `/rootfs`, `/var/run`, `/sys`, `/var/lib/docker`, `/dev/disk` (a typo such as `/routfs` breaks monitoring silently).',
  remediation: 'Declare five `hostPath` volumes (`/`, `/var/run`, `/sys`, `/var/lib/docker`, `/dev/disk`) and mount them with `readOnly: true` at `/rootfs`, `/var/run`, `/sys`, `/var/lib/docker`, `/dev/disk`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['DaemonSet'],
  *check({ unit }) {
    const w = workloadOf(unit.objects, 'cadvisor');
    const t = w ? podTemplate(w) : undefined;
    if (!w || !t) return;
    const volumes: Any[] = Array.isArray(t.spec.volumes) ? t.spec.volumes.filter(isRecord) : [];
    const hostOf = (name: string): string | undefined => volumes.find((v) => v.name === name)?.hostPath?.path;
    const mounts = containersOf(w, false).flatMap(({ c, path }) => (Array.isArray(c.volumeMounts) ? c.volumeMounts.map((m: Any, i: number) => ({ m, path: [...path, 'volumeMounts', i] })) : []));
    for (const { host, mount } of CADVISOR_MOUNTS) {
      const found = mounts.find(({ m }) => isRecord(m) && m.mountPath === mount);
      if (!found) {
        yield { object: w, path: [...t.specPath, 'containers'], message: `cadvisor does not mount host path ${host} at ${mount}` };
        continue;
      }
      const h = hostOf(String(found.m.name));
      if (h !== host) yield { object: w, path: found.path, message: `${mount} comes from ${h === undefined ? 'no hostPath volume' : `host path ${h}`}; expected ${host}` };
      if (found.m.readOnly !== true) yield { object: w, path: found.path, message: `${mount} is not mounted readOnly` };
    }
    const expected = new Set(CADVISOR_MOUNTS.map((m) => m.mount));
    for (const { m, path } of mounts) {
      if (isRecord(m) && !expected.has(String(m.mountPath))) yield { object: w, path: [...path, 'mountPath'], message: `unexpected mount path ${String(m.mountPath)} (expected ${[...expected].join(', ')})` };
    }
    const hostPaths = new Set(CADVISOR_MOUNTS.map((m) => m.host));
    for (const [i, v] of volumes.entries()) {
      const p = v.hostPath?.path;
      if (typeof p === 'string' && !hostPaths.has(p)) yield { object: w, path: [...t.specPath, 'volumes', i, 'hostPath', 'path'], message: `unexpected host path ${p} (expected ${[...hostPaths].join(', ')})` };
    }
  },
});
