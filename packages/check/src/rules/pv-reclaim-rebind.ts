import { at, str } from '../read.js';
import { volumesOf } from '../resolve/storage.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'pv-reclaim-rebind',
  description:
    'A statically created PersistentVolume with the reclaim policy `Retain` (the default for volumes created by hand) is reserved for its claim with `spec.claimRef`. Without it, any claim of the volume\'s class that fits may take it first; and when its claim is deleted the volume turns `Released` and keeps the old claim\'s reference, so a recreated claim stays Pending until an administrator clears it (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#retain, #reserving-a-persistentvolume).',
  remediation:
    'Set `spec.claimRef: {namespace: <ns>, name: <claim>}` on the PersistentVolume (and keep `volumeName` on the claim). After deleting the claim on purpose, make the volume available again with `kubectl patch pv <name> --type json -p \'[{"op":"remove","path":"/spec/claimRef/uid"}]\'`.',
  severity: 'warning',
  profiles: ['production'],
  kinds: ['PersistentVolume'],
  *check({ objectsOf }) {
    for (const v of volumesOf(objectsOf('PersistentVolume'))) {
      const policy = str(at(v.object.data, 'spec', 'persistentVolumeReclaimPolicy')) ?? 'Retain';
      if (policy !== 'Retain' || str(at(v.object.data, 'spec', 'claimRef', 'name')) !== undefined) continue;
      const claimant = objectsOf('PersistentVolumeClaim').find((o) => str(at(o.data, 'spec', 'volumeName')) === v.object.name);
      const intended = claimant ? `claim "${claimant.namespace ?? 'default'}/${claimant.name}"` : 'its claim';
      yield {
        object: v.object,
        path: at(v.object.data, 'spec', 'persistentVolumeReclaimPolicy') === undefined ? ['spec'] : ['spec', 'persistentVolumeReclaimPolicy'],
        message: `PersistentVolume "${v.object.name}" is Retain without a claimRef: any claim ${v.className === '' ? 'without a class' : `of class "${v.className}"`} that fits can take it before ${intended}, and once that claim is deleted the volume stays Released and a recreated claim stays Pending`,
      };
    }
  },
});
