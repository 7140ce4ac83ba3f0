import { byKind, isRecord, namespaceOf, podTemplate } from '../k8s.js';
import { resolveRef } from '../refs.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'pvc-ref',
  description: 'Every PersistentVolumeClaim a pod mounts exists in its namespace, and a claim that names a PersistentVolume (`volumeName`) names one that exists (in the input, or declared `external`).',
  remediation: 'Create the PersistentVolumeClaim (and its PersistentVolume when there is no dynamic provisioner) or fix `claimName`/`volumeName`.',
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod', 'PersistentVolumeClaim'],
  *check({ unit, external = [] }) {
    for (const o of unit.objects) {
      const t = podTemplate(o);
      if (!t) continue;
      const volumes: unknown[] = Array.isArray(t.spec.volumes) ? t.spec.volumes : [];
      for (const [i, v] of volumes.entries()) {
        const claim = isRecord(v) && isRecord(v.persistentVolumeClaim) ? v.persistentVolumeClaim.claimName : undefined;
        if (typeof claim === 'string' && !resolveRef(unit.objects, external, 'PersistentVolumeClaim', claim, namespaceOf(o))) {
          yield { object: o, path: [...t.specPath, 'volumes', i, 'persistentVolumeClaim', 'claimName'], message: `PersistentVolumeClaim "${claim}" does not exist in namespace "${namespaceOf(o)}"` };
        }
      }
    }
    for (const pvc of byKind(unit.objects, 'PersistentVolumeClaim')) {
      const pv = pvc.data?.spec?.volumeName;
      if (typeof pv === 'string' && !resolveRef(unit.objects, external, 'PersistentVolume', pv, '')) {
        yield { object: pvc, path: ['spec', 'volumeName'], message: `PersistentVolume "${pv}" does not exist` };
      }
    }
  },
});
