import { ANY_KIND } from '../kinds.js';
import { changeFor, minorOf } from '../resolve/api-versions.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'api-version-removed',
  description:
    'No object uses an API version the target Kubernetes release (`--kubernetes-version`, default 1.34) no longer serves, such as `extensions/v1beta1` Ingress (removed in 1.22) or `policy/v1beta1` PodDisruptionBudget and `batch/v1beta1` CronJob (removed in 1.25). The API server rejects them ("no matches for kind"). Table from https://kubernetes.io/docs/reference/using-api/deprecation-guide/.',
  remediation:
    'Move the object to the version named in the finding (`kubectl convert` does it for built-in kinds) and review the notable changes listed in the Deprecated API Migration Guide (e.g. Ingress `serviceName`/`servicePort` became `service.name`/`service.port`).',
  severity: 'error',
  profiles: ['core'],
  kinds: [ANY_KIND],
  *check({ unit, kubernetesVersion }) {
    const target = minorOf(kubernetesVersion);
    if (target === undefined) return;
    for (const o of unit.objects) {
      const change = changeFor(o.apiVersion, o.kind);
      if (change?.removed === undefined || target < change.removed) continue;
      yield {
        object: o,
        path: ['apiVersion'],
        message: `${o.apiVersion} ${o.kind} was removed in Kubernetes 1.${change.removed} (target ${kubernetesVersion}): use ${change.replacement}`,
      };
    }
  },
});
