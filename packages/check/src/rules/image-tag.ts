import { composeServices } from '../compose.js';
import { unpinnedReason } from '../image.js';
import { containerLabel, containersOf } from '../k8s.js';
import { COMPOSE, POD_TEMPLATE_KINDS } from '../kinds.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'image-tag',
  description: 'Every container image (Kubernetes and compose) is pinned to a version tag or digest: not untagged, not `latest`, not a misspelling such as `lastest`.',
  remediation: 'Use an explicit, existing version tag such as `redis:7.4.1-alpine` or `postgres:17.2`, or a digest (`image@sha256:…`).',
  severity: 'error',
  profiles: ['core'],
  kinds: [...POD_TEMPLATE_KINDS, COMPOSE],
  *check({ unit, objectsOf }) {
    for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
      for (const c of containersOf(o)) {
        if (c.image === undefined) {
          yield { object: o, path: c.path, message: `${containerLabel(c)} has no image` };
          continue;
        }
        const why = unpinnedReason(c.image);
        if (why) yield { object: o, path: [...c.path, 'image'], message: why };
      }
    }
    for (const compose of unit.compose) {
      for (const [name, s] of composeServices(compose)) {
        if (typeof s.image !== 'string') continue;
        const why = unpinnedReason(s.image);
        if (why) yield { compose, path: ['services', name, 'image'], message: `service "${name}": ${why}` };
      }
    }
  },
});
