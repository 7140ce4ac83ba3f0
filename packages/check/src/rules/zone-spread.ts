import { replicasUnderHpa } from '../cluster/analyze.js';
import { templateSpecOf } from '../cluster/pod.js';
import { at, num, records, str } from '../read.js';
import { defineRule } from './define.js';

const ZONE = 'topology.kubernetes.io/zone';
const ZONE_KEYS = [ZONE, 'failure-domain.beta.kubernetes.io/zone'];

export default defineRule({
  id: 'zone-spread',
  description:
    'A replicated workload (2 or more replicas) spreads over zones (`topology.kubernetes.io/zone`) as well as hosts, so one zone outage does not take every replica. With minDomains unset, DoNotSchedule counts only the zones that exist (the global minimum is taken over eligible domains), so a single-zone cluster stays schedulable; ScheduleAnyway never blocks. Nodes without a zone label (kind, k3d) cannot take pods of a DoNotSchedule zone constraint, which cluster-schedulable reports. https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/',
  remediation:
    'Add `topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: <pod labels>}}]` next to the host spread or anti-affinity.',
  severity: 'warning',
  profiles: ['production'],
  kinds: ['Deployment', 'StatefulSet', 'ReplicaSet'],
  *check({ objectsOf }) {
    for (const o of objectsOf('Deployment', 'StatefulSet', 'ReplicaSet')) {
      // A Deployment left to its HorizontalPodAutoscaler runs at least the HPA's minReplicas.
      const replicas = replicasUnderHpa(o, num(at(o.data, 'spec', 'replicas')) ?? 1, objectsOf('HorizontalPodAutoscaler'));
      const spec = templateSpecOf(o)?.spec;
      if (replicas < 2 || !spec) continue;
      const spread = records(spec.topologySpreadConstraints).some(({ value: c }) => ZONE_KEYS.includes(str(c.topologyKey) ?? ''));
      const anti = at(spec, 'affinity', 'podAntiAffinity');
      const antiZone =
        records(at(anti, 'requiredDuringSchedulingIgnoredDuringExecution')).some(({ value: t }) => ZONE_KEYS.includes(str(t.topologyKey) ?? '')) ||
        records(at(anti, 'preferredDuringSchedulingIgnoredDuringExecution')).some(({ value: t }) => ZONE_KEYS.includes(str(at(t, 'podAffinityTerm', 'topologyKey')) ?? ''));
      if (spread || antiZone) continue;
      yield {
        object: o,
        path: ['spec', 'template', 'spec'],
        message: `${o.name} runs ${replicas} replicas with no spread over ${ZONE}: one zone outage can take all of them; add a topology spread constraint on ${ZONE} (ScheduleAnyway, or DoNotSchedule without minDomains)`,
      };
    }
  },
});
