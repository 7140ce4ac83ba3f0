import { ANY_KIND } from '../kinds.js';
import { changeFor, minorOf } from '../resolve/api-versions.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'api-version-deprecated',
  description:
    'No object uses an API version that is deprecated, but still served, at the target Kubernetes release (`--kubernetes-version`): it works today and stops working at the release that removes it (e.g. `policy/v1beta1` PodDisruptionBudget on a 1.24 cluster). Table from https://kubernetes.io/docs/reference/using-api/deprecation-guide/.',
  remediation: 'Move the object to the version named in the finding before the cluster is upgraded to the release that removes the old one.',
  severity: 'warning',
  profiles: ['production'],
  kinds: [ANY_KIND],
  *check({ unit, kubernetesVersion }) {
    const target = minorOf(kubernetesVersion);
    if (target === undefined) return;
    for (const o of unit.objects) {
      const change = changeFor(o.apiVersion, o.kind);
      if (!change || target < change.deprecated || (change.removed !== undefined && target >= change.removed)) continue;
      const until = change.removed === undefined ? 'no removal is scheduled yet' : `Kubernetes 1.${change.removed} removes it`;
      yield {
        object: o,
        path: ['apiVersion'],
        message: `${o.apiVersion} ${o.kind} is deprecated since Kubernetes 1.${change.deprecated} (target ${kubernetesVersion}) and ${until}: use ${change.replacement}`,
      };
    }
  },
});
