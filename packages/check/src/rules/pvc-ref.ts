import { namespaceOf, podTemplate, volumesOf } from '../k8s.js';
import { POD_TEMPLATE_KINDS } from '../kinds.js';
import { at, str } from '../read.js';
import { resolveRef } from '../refs.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'pvc-ref',
  description: 'Every PersistentVolumeClaim a pod mounts exists in its namespace, and a claim that names a PersistentVolume (`volumeName`) names one that exists (in the input, or declared `external`).',
  remediation: 'Create the PersistentVolumeClaim (and its PersistentVolume when there is no dynamic provisioner) or fix `claimName`/`volumeName`.',
  severity: 'error',
  profiles: ['core'],
  kinds: [...POD_TEMPLATE_KINDS, 'PersistentVolumeClaim'],
  *check({ unit, external = [], objectsOf }) {
    for (const o of objectsOf(...POD_TEMPLATE_KINDS)) {
      const t = podTemplate(o);
      if (!t) continue;
      for (const { value: v, index } of volumesOf(t)) {
        const claim = str(at(v, 'persistentVolumeClaim', 'claimName'));
        if (claim !== undefined && !resolveRef(unit.objects, external, 'PersistentVolumeClaim', claim, namespaceOf(o))) {
          yield { object: o, path: [...t.specPath, 'volumes', index, 'persistentVolumeClaim', 'claimName'], message: `PersistentVolumeClaim "${claim}" does not exist in namespace "${namespaceOf(o)}"` };
        }
      }
    }
    for (const pvc of objectsOf('PersistentVolumeClaim')) {
      const pv = str(at(pvc.data, 'spec', 'volumeName'));
      if (pv !== undefined && !resolveRef(unit.objects, external, 'PersistentVolume', pv, '')) {
        yield { object: pvc, path: ['spec', 'volumeName'], message: `PersistentVolume "${pv}" does not exist` };
      }
    }
  },
});
