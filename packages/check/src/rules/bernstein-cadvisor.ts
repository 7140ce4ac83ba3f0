import { CADVISOR_MOUNTS, workloadOf } from '../bernstein.js';
import { containersOf, podTemplate, volumesOf } from '../k8s.js';
import type { Path } from '../model.js';
import { at, records, str } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-cadvisor',
  description: 'The cAdvisor DaemonSet mounts exactly the five standard host paths read-only: `/` at `/rootfs`, `/var/run`, `/sys`, `/var/lib/docker`, `/dev/disk` (a typo such as `/routfs` breaks monitoring silently).',
  remediation: 'Declare five `hostPath` volumes (`/`, `/var/run`, `/sys`, `/var/lib/docker`, `/dev/disk`) and mount them with `readOnly: true` at `/rootfs`, `/var/run`, `/sys`, `/var/lib/docker`, `/dev/disk`.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: ['DaemonSet'],
  *check({ objectsOf }) {
    const w = workloadOf(objectsOf('DaemonSet'), 'cadvisor');
    const t = w ? podTemplate(w) : undefined;
    if (!w || !t) return;
    const volumes = volumesOf(t);
    const hostOf = (name: unknown): string | undefined => str(at(volumes.find(({ value }) => value.name === name)?.value, 'hostPath', 'path'));
    const mounts: { m: Readonly<Record<string, unknown>>; path: Path }[] = containersOf(w, false).flatMap(({ c, path }) =>
      records(c.volumeMounts).map(({ value, index }) => ({ m: value, path: [...path, 'volumeMounts', index] })),
    );
    for (const { host, mount } of CADVISOR_MOUNTS) {
      const found = mounts.find(({ m }) => m.mountPath === mount);
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
      if (!expected.has(String(m.mountPath))) yield { object: w, path: [...path, 'mountPath'], message: `unexpected mount path ${String(m.mountPath)} (expected ${[...expected].join(', ')})` };
    }
    const hostPaths = new Set(CADVISOR_MOUNTS.map((m) => m.host));
    for (const { value: v, index } of volumes) {
      const p = str(at(v, 'hostPath', 'path'));
      if (p !== undefined && !hostPaths.has(p)) yield { object: w, path: [...t.specPath, 'volumes', index, 'hostPath', 'path'], message: `unexpected host path ${p} (expected ${[...hostPaths].join(', ')})` };
    }
  },
});
