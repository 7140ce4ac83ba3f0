import { CRD_KINDS, GROUP_V2, GROUP_V3, crdGroups, crdKinds, providerOf, traefikGroupOf, traefikInstances } from '../traefik/index.js';
import { defineRule } from './define.js';

export default defineRule({
  id: 'traefik-crds',
  description:
    "Traefik custom resources match the Traefik that reads them and their CRDs are installed: 3.x reads only `traefik.io` (https://github.com/traefik/traefik/blob/v3.4/pkg/provider/kubernetes/crd/client.go), 2.0–2.9 only `traefik.containo.us`, 2.10/2.11 both (https://doc.traefik.io/traefik/v2.11/migration/v2/); ServersTransportTCP exists from 3.0. A custom resource whose CustomResourceDefinition is not in the input (any unit of the run: a `crds/` kustomization applied first counts) nor declared external fails to apply (no matches for kind); a CRD provider that lists a kind whose CRD is missing never syncs (https://github.com/traefik/traefik-helm-chart/issues/870).",
  remediation:
    "Use the API group of your Traefik version (`traefik.io/v1alpha1` for 3.x), and apply Traefik's CRDs for that version before the custom resources (kubectl apply -f https://raw.githubusercontent.com/traefik/traefik/v3.4/docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml), all ten kinds. CRDs applied separately (as crd-same-apply asks) are checked in the same run (`bernstein check crds/ app/`, or the directory holding both), or, when installed by other means, declared in bernstein-check.yaml: `external: [{kind: CustomResourceDefinition, name: ingressroutes.traefik.io}, ...]`.",
  severity: 'error',
  profiles: ['core'],
  kinds: ['Deployment', 'DaemonSet', 'StatefulSet', 'Pod', 'CustomResourceDefinition', ...Object.keys(CRD_KINDS)],
  *check({ unit, run, external, objectsOf }) {
    const readers = traefikInstances(unit.objects).filter((t) => providerOf(t, 'crd'));
    if (readers.length === 0) return; // no CRD provider: traefik-provider reports unread routes
    // CRDs of the whole input, not only of this unit: applied first from a unit of their own (a
    // crds/ kustomization, as crd-same-apply asks) they exist when this unit is applied. Plus
    // those declared external (installed by other means).
    const crds = new Set([
      ...run.objectsOf('CustomResourceDefinition').map((o) => o.name),
      ...(external ?? []).filter((x) => x.kind === 'CustomResourceDefinition').map((x) => x.name),
    ]);
    const resources = objectsOf(...Object.keys(CRD_KINDS)).filter((o) => traefikGroupOf(o.apiVersion, o.kind) !== undefined);
    for (const o of resources) {
      const group = traefikGroupOf(o.apiVersion, o.kind) ?? '';
      const id = `${o.namespace ?? 'default'}/${o.name}`;
      const readersOfGroup = readers.filter((t) => crdGroups(t.version).includes(group));
      if (readersOfGroup.length === 0) {
        const labels = readers.map((t) => `${t.version.label} (${t.id})`).join(', ');
        const wanted = readers.some((t) => t.version.major >= 3) ? GROUP_V3 : GROUP_V2;
        yield { object: o, path: ['apiVersion'], message: `${o.kind} "${id}" is in API group ${group}, which ${labels} does not read (it reads ${wanted}): nothing applies it` };
        continue;
      }
      if (!readersOfGroup.some((t) => crdKinds(t.version).includes(o.kind))) {
        yield { object: o, path: ['kind'], message: `${o.kind} "${id}" is not a kind ${readersOfGroup.map((t) => t.version.label).join(', ')} knows: nothing applies it` };
        continue;
      }
      const crd = `${CRD_KINDS[o.kind] ?? ''}.${group}`;
      if (!crds.has(crd)) yield { object: o, path: ['apiVersion'], message: `${o.kind} "${id}" needs the CustomResourceDefinition ${crd}, which is neither in the input nor declared external: kubectl apply fails with "no matches for kind ${o.kind}" (install Traefik's CRDs first)` };
    }
    // The CRD provider lists every kind of its version: a partial set of CRDs leaves it unsynced.
    const anyTraefikCrd = [...crds].some((n) => n.endsWith(`.${GROUP_V3}`) || n.endsWith(`.${GROUP_V2}`));
    if (!anyTraefikCrd) return;
    for (const t of readers) {
      const groups = crdGroups(t.version);
      if (groups.length !== 1) continue; // 2.10/2.11 read either group
      const missing = crdKinds(t.version).map((k) => `${CRD_KINDS[k] ?? ''}.${groups[0] ?? ''}`).filter((n) => !crds.has(n));
      if (missing.length > 0) {
        yield { object: t.object, path: t.argsPath, message: `${t.version.label} (${t.id}) runs the kubernetescrd provider, which lists every Traefik kind, but no CRD for ${missing.join(', ')} is in the input or declared external: that list fails and the provider never syncs` };
      }
    }
  },
});
