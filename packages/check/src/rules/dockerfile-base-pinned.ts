import { stages } from '../dockerfile.js';
import { unpinnedReason } from '../image.js';
import { DOCKERFILE } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'dockerfile-base-pinned',
  description: 'Every `FROM` image of a Dockerfile is pinned to a version tag or digest (not untagged, not `latest`).',
  remediation: 'Use an explicit version, e.g. `FROM node:22.12-bookworm-slim`, or a digest.',
  severity: 'warning',
  profiles: ['production'],
  kinds: [DOCKERFILE],
  *check({ unit }) {
    for (const d of unit.dockerfiles) {
      const all = stages(d);
      const aliases = new Set(all.map((s) => s.alias?.toLowerCase()).filter(Boolean));
      for (const s of all) {
        if (s.image === 'scratch' || aliases.has(s.image.toLowerCase()) || s.image.startsWith('$')) continue;
        const why = unpinnedReason(s.image);
        if (why) yield { dockerfile: d, line: s.from.line, message: why };
      }
    }
  },
});
