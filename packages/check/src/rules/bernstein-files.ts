import { basename, join } from 'node:path';
import { FILES } from '../bernstein.js';
import { ANY_KIND, POD_TEMPLATE_KINDS } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'bernstein-files',
  description: 'A Bernstein deployment directory holds the 19 files of the course layout (`poll.deployment.yaml`, `postgres.volume.yaml`, `traefik.rbac.yaml`, …), each with the kinds its name promises (e.g. a PersistentVolume and a PersistentVolumeClaim in `postgres.volume.yaml`).',
  remediation: 'Create the missing file at the root of the deployment directory, or move the object into the file its name calls for. The list is in the docs of this rule and in docs/bernstein-profile.md.',
  severity: 'error',
  profiles: ['bernstein'],
  kinds: [ANY_KIND],
  *check({ unit, objectsOf }) {
    if (!unit.isDirectory) return;
    const present = new Set(unit.fileNames);
    // A directory that runs nothing and has none of the 19 names (a kustomization of CRDs applied
    // first, say) is not a deployment directory missing its files.
    if (objectsOf(...POD_TEMPLATE_KINDS).length === 0 && !Object.keys(FILES).some((name) => present.has(name))) return;
    for (const name of Object.keys(FILES)) {
      if (!present.has(name)) yield { file: join(unit.root, name), message: `missing file ${name} (one of the 19 files of a Bernstein deployment)` };
    }
    for (const [name, groups] of Object.entries(FILES)) {
      const objs = unit.objects.filter((o) => basename(o.file) === name);
      if (objs.length === 0) {
        // Present but empty (or only comments): graders read these files (empty-manifest warns elsewhere).
        const empty = (unit.manifests ?? []).find((m) => basename(m.file) === name && m.kinds.length === 0 && m.otherDocuments === 0 && !m.broken);
        if (empty) yield { file: empty.file, line: 1, message: `${name} holds no ${groups.map((kinds) => kinds.join(' or ')).join(' and no ')}: the file is empty or only comments` };
        continue;
      }
      for (const kinds of groups) {
        if (!objs.some((o) => kinds.includes(o.kind))) {
          const first = objs[0];
          if (first) yield { object: first, path: ['kind'], message: `${name} holds no ${kinds.join(' or ')}` };
        }
      }
    }
  },
});
