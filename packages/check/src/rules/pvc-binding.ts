import type { RawFinding } from '../model.js';
import { at, str } from '../read.js';
import { claimKey, claimsOf, mismatches, provisions, reservedFor, volumesOf, type Claim, type Volume } from '../resolve/storage.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'pvc-binding',
  description:
    "Every PersistentVolumeClaim (and StatefulSet volumeClaimTemplate, once per replica) would bind, as the PV controller decides it (https://kubernetes.io/docs/concepts/storage/persistent-volumes/#binding): to a PersistentVolume of the input of the same class, with the access modes, capacity and volumeMode asked, matching the claim's selector, not reserved for another claim by its `claimRef` nor taken by one; or dynamically, through a StorageClass of the input with a provisioner or the cluster's default class (`--cluster`; the default cluster model has none). A claim without `storageClassName` on a cluster without a default class binds only volumes without a class; `storageClassName: \"\"` never provisions. A class the checker cannot see (not in the input, not the cluster's default) is assumed to provision.",
  remediation:
    'Give the claim a volume it can bind: a PersistentVolume of its class with enough capacity and the access modes it asks (`volumeName` to pre-bind it, `claimRef` on the volume to reserve it), or a `storageClassName` the cluster provisions. On a cluster with a default StorageClass, say so in the cluster file (`defaultStorageClass`).',
  severity: 'error',
  profiles: ['core'],
  kinds: ['PersistentVolumeClaim', 'StatefulSet'],
  *check({ unit, objectsOf, cluster, external = [] }) {
    const objects = unit.objects;
    const volumes = volumesOf(objectsOf('PersistentVolume'));
    const externalVolumes = external.filter((e) => e.kind === 'PersistentVolume').map((e) => e.name);
    const taken = new Map<Volume, string>();
    const claims = claimsOf(objects, cluster);
    const boundTo = (c: Claim): Volume | undefined => {
      const named = str(c.spec.volumeName);
      return named !== undefined ? volumes.find((v) => v.object.name === named) : volumes.find((v) => reservedFor(v) === claimKey(c));
    };
    // Pre-bound claims first: the controller honours volumeName and claimRef before matching.
    const ordered = [...claims.filter((c) => str(c.spec.volumeName) !== undefined || boundTo(c)), ...claims.filter((c) => str(c.spec.volumeName) === undefined && !boundTo(c))];
    const findings: RawFinding[] = [];
    const pending = (c: Claim, why: string): void => {
      const field = c.object.kind === 'PersistentVolumeClaim' ? (str(c.spec.volumeName) !== undefined ? ['volumeName'] : c.classFrom === 'written' ? ['storageClassName'] : []) : [];
      const who = c.object.kind === 'PersistentVolumeClaim' ? `PersistentVolumeClaim "${c.name}"` : `claim "${c.name}" of this StatefulSet`;
      findings.push({ object: c.object, path: [...c.path, ...field], message: `${who} stays Pending: ${why}` });
    };
    for (const c of ordered) {
      const named = str(c.spec.volumeName);
      const pre = boundTo(c);
      if (named !== undefined && !pre) continue; // a volume not in the input: pvc-ref, or declared external
      if (pre) {
        const holder = taken.get(pre);
        const reserved = reservedFor(pre);
        const why = [...mismatches(c, pre), ...(reserved !== undefined && reserved !== claimKey(c) ? [`is reserved for claim "${reserved}" (claimRef)`] : []), ...(holder ? [`is taken by claim "${holder}"`] : [])];
        if (why.length > 0) pending(c, `PersistentVolume "${pre.object.name}" ${why.join('; ')}`);
        else taken.set(pre, claimKey(c));
        continue;
      }
      const free = volumes.filter((v) => !taken.has(v) && reservedFor(v) === undefined && str(at(v.object.data, 'spec', 'claimRef', 'name')) === undefined);
      const fits = free.filter((v) => mismatches(c, v).length === 0 && !claims.some((o) => o !== c && str(o.spec.volumeName) === v.object.name));
      const first = fits[0];
      if (first) {
        taken.set(first, claimKey(c));
        continue;
      }
      const dynamic = provisions(objects, cluster, c.className);
      const hasSelector = c.spec.selector !== undefined && c.spec.selector !== null;
      if (dynamic === 'unknown' || (dynamic === 'yes' && !hasSelector)) continue;
      if (c.className === '' && externalVolumes.length > 0) continue; // a declared volume may be its
      // The closest volume of the claim's class, to say why it does not fit.
      const near = volumes
        .filter((v) => v.className === c.className)
        .map((v) => {
          const reserved = reservedFor(v);
          const holder = taken.get(v);
          const why = [...mismatches(c, v), ...(holder ? [`is taken by claim "${holder}"`] : reserved !== undefined ? [`is reserved for claim "${reserved}" (claimRef)`] : [])];
          return { v, why };
        })
        .sort((a, b) => a.why.length - b.why.length)[0];
      const nearMiss = near ? ` (PersistentVolume "${near.v.object.name}" ${near.why.join('; ')})` : '';
      const none = `no PersistentVolume of the input can bind it${nearMiss}`;
      if (dynamic === 'yes') pending(c, `a claim with a selector is not provisioned dynamically, and ${none}`);
      else if (c.classFrom === 'none') pending(c, `it sets no storageClassName and the cluster has no default StorageClass (cluster: ${cluster.name}), so it binds only a volume without a class, and ${none}`);
      else if (c.className === '') pending(c, `storageClassName "" binds only a volume without a class and is never provisioned, and ${none}`);
      else if (dynamic === 'static') pending(c, `storageClassName "${c.className}" names no StorageClass, only the input's own PersistentVolumes, so nothing provisions it, and ${none}`);
      else pending(c, `StorageClass "${c.className}" has no provisioner (${'kubernetes.io/no-provisioner'}), and ${none}`);
    }
    yield* findings;
  },
});
