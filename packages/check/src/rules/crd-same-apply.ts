import { dirname } from 'node:path';
import { ANY_KIND } from '../kinds.js';
import type { K8sObject } from '../model.js';
import { at, records, str } from '../read.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'crd-same-apply',
  description:
    'A unit applied at once (one Kustomize render, or the files of one directory) does not hold both a CustomResourceDefinition and objects of the kind it defines: kubectl maps every object to its API before the CRD is established, so the first `kubectl apply` fails for them with `no matches for kind "…" in version "…"` / "ensure CRDs are installed first" and only a second run succeeds (https://github.com/kubernetes-sigs/kustomize/issues/3074).',
  remediation:
    'Put the CustomResourceDefinitions in a kustomization of their own and apply it first (`kubectl apply -k crds/ && kubectl wait --for condition=established crd --all`), then the objects that use them; or install the CRDs with the tool that ships them (e.g. its Helm chart).',
  severity: 'error',
  profiles: ['core'],
  kinds: [ANY_KIND],
  *check({ unit, objectsOf }) {
    // A Kustomize render is applied at once; loose files only when they share a directory
    // (`kubectl apply -f dir/`): directories named together may well be applied one after another.
    const rendered = unit.rendered === true;
    const defined = new Map<string, K8sObject>();
    for (const crd of objectsOf('CustomResourceDefinition')) {
      const group = str(at(crd.data, 'spec', 'group'));
      const kind = str(at(crd.data, 'spec', 'names', 'kind'));
      if (group === undefined || kind === undefined) continue;
      const versions = records(at(crd.data, 'spec', 'versions')).flatMap(({ value }) => (typeof value.name === 'string' ? [value.name] : []));
      const legacy = str(at(crd.data, 'spec', 'version')); // apiextensions.k8s.io/v1beta1
      for (const v of legacy === undefined ? versions : [...versions, legacy]) defined.set(`${group}/${v} ${kind}`, crd);
    }
    if (defined.size === 0) return;
    for (const o of unit.objects) {
      const crd = defined.get(`${o.apiVersion} ${o.kind}`);
      if (crd === undefined || (!rendered && dirname(crd.file) !== dirname(o.file))) continue;
      yield {
        object: o,
        path: ['kind'],
        message: `${o.kind} "${o.name}" is applied together with CustomResourceDefinition "${crd.name}" that defines it: the first kubectl apply fails with no matches for kind "${o.kind}" in version "${o.apiVersion}"; apply the CRDs first`,
      };
    }
  },
});
