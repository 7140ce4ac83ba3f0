import { unpinnedReason } from '../image.js';
import { containersOf } from '../k8s.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'image-tag',
  description: 'Every container image (Kubernetes and compose) is pinned to a version tag or digest: not untagged, not `latest`, not a misspelling such as `lastest`.',
  remediation: 'Use an explicit, existing version tag such as `redis:7.4.1-alpine` or `postgres:17.2`, or a digest (`image@sha256:…`).',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'compose'],
  *check({ unit }) {
    for (const o of unit.objects) {
      for (const { c, path } of containersOf(o)) {
        if (typeof c.image !== 'string') {
          yield { object: o, path, message: `container "${c.name ?? '?'}" has no image` };
          continue;
        }
        const why = unpinnedReason(c.image);
        if (why) yield { object: o, path: [...path, 'image'], message: why };
      }
    }
    for (const compose of unit.compose) {
      const services = compose.data?.services ?? {};
      for (const [name, s] of Object.entries<Record<string, unknown>>(services)) {
        if (typeof s?.image !== 'string') continue;
        const why = unpinnedReason(s.image);
        if (why) yield { compose, path: ['services', name, 'image'], message: `service "${name}": ${why}` };
      }
    }
  },
});
