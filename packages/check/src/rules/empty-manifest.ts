import { basename } from 'node:path';
import { ANY_KIND } from '../kinds.js';
import type { ManifestFile, RawFinding, Unit } from '../model.js';
import { defineRule } from './define.js';

const RBAC = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ServiceAccount'];

/** The kinds a file name's last word promises (`poll.service.yaml`, `deployment.yaml`). */
const PROMISES: Readonly<Record<string, readonly string[]>> = {
  deployment: ['Deployment'],
  statefulset: ['StatefulSet'],
  daemonset: ['DaemonSet'],
  job: ['Job'],
  cronjob: ['CronJob'],
  pod: ['Pod'],
  service: ['Service'],
  svc: ['Service'],
  ingress: ['Ingress', 'IngressRoute'],
  ingressroute: ['IngressRoute'],
  ingressclass: ['IngressClass'],
  configmap: ['ConfigMap'],
  cm: ['ConfigMap'],
  secret: ['Secret', 'SealedSecret', 'ExternalSecret'],
  volume: ['PersistentVolume', 'PersistentVolumeClaim'],
  pv: ['PersistentVolume'],
  pvc: ['PersistentVolumeClaim'],
  storageclass: ['StorageClass'],
  rbac: RBAC,
  role: ['Role', 'ClusterRole'],
  rolebinding: ['RoleBinding', 'ClusterRoleBinding'],
  serviceaccount: ['ServiceAccount'],
  sa: ['ServiceAccount'],
  namespace: ['Namespace'],
  ns: ['Namespace'],
  pdb: ['PodDisruptionBudget'],
  hpa: ['HorizontalPodAutoscaler'],
  networkpolicy: ['NetworkPolicy'],
  netpol: ['NetworkPolicy'],
  crd: ['CustomResourceDefinition'],
};

/** The kinds a file's name promises: its last dot-separated word before .yaml, singular. */
export function promisedKinds(fileName: string): readonly string[] | undefined {
  const words = basename(fileName).replace(/\.ya?ml$/, '').toLowerCase().split('.');
  const last = words[words.length - 1] ?? '';
  return PROMISES[last] ?? PROMISES[last.replace(/ies$/, 'y')] ?? PROMISES[last.replace(/e?s$/, '')];
}

function describeKinds(kinds: readonly string[]): string {
  return kinds.length <= 2 ? kinds.join(' or ') : `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1] ?? ''}`;
}

function fileFinding(unit: Unit, m: ManifestFile, message: string): RawFinding {
  const first = unit.objects.find((o) => o.file === m.file);
  return { file: m.file, line: first?.line ?? 1, message };
}

export default defineRule({
  id: 'empty-manifest',
  description:
    "Every Kubernetes YAML file of the input holds an object, and the objects its name promises: a file that is empty or only comments is applied as nothing (`kubectl apply -f` on it alone fails with \"no objects passed to apply\"), and a file named for a kind (`poll.service.yaml`, `postgres.volume.yaml`, `*.deployment.yaml`, `pdb.yaml`) that does not hold one misleads whoever reads the deployment. A warning here; in the `bernstein` profile the course's 19 files are held to their kinds as errors by `bernstein-files`, since graders read those files.",
  remediation: 'Put the object the name promises in the file (or rename the file after what it holds), and delete files that hold nothing; a Kustomize `resources:` entry that lists an empty file lists nothing.',
  severity: 'warning',
  profiles: ['core'],
  kinds: [ANY_KIND],
  *check({ unit }) {
    for (const m of unit.manifests ?? []) {
      if (m.broken || m.otherDocuments > 0) continue; // yaml-syntax's, or not a manifest
      const promised = promisedKinds(m.file);
      if (m.kinds.length === 0) {
        yield fileFinding(unit, m, promised ? `the name promises a ${describeKinds(promised)}, but the file holds no object (it is empty or only comments)` : 'the file holds no Kubernetes object (it is empty or only comments)');
      } else if (promised && !m.kinds.some((k) => promised.includes(k))) {
        yield fileFinding(unit, m, `the name promises a ${describeKinds(promised)}, but the file holds ${describeKinds([...new Set(m.kinds)])}`);
      }
    }
  },
});
