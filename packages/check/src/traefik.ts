/** Finding Traefik in a set of manifests and reading which providers it runs with. */
import { containersOf, type ContainerRef } from './k8s.js';
import type { K8sObject } from './model.js';
import { parseImage } from './image.js';

export type Provider = 'ingress' | 'crd';

export interface TraefikWorkload {
  readonly object: K8sObject;
  readonly container: ContainerRef;
  /** Providers enabled by command-line flags; undefined when configured some other way (file). */
  readonly providers: Set<Provider> | undefined;
}

function flags(c: ContainerRef['c']): string[] {
  return [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].map(String);
}

export function providersFromFlags(args: readonly string[]): Set<Provider> | undefined {
  const set = new Set<Provider>();
  let any = false;
  for (const a of args) {
    const m = /^--?(providers\.kubernetesingress|providers\.kubernetescrd|kubernetes)(?:[.=]|$)(.*)$/i.exec(a);
    if (!m) continue;
    any = true;
    const key = (m[1] ?? '').toLowerCase();
    if (/=false$/i.test(a)) continue;
    set.add(key === 'providers.kubernetescrd' ? 'crd' : 'ingress');
  }
  if (any) return set;
  // Flags exist but name no Kubernetes provider: Traefik routes nothing from the cluster.
  return args.some((a) => /^--(providers\.|entrypoints\.|entryPoints\.|api)/.test(a)) ? set : undefined;
}

export function traefikWorkloads(objects: readonly K8sObject[]): TraefikWorkload[] {
  const out: TraefikWorkload[] = [];
  for (const o of objects) {
    for (const ref of containersOf(o, false)) {
      if (typeof ref.c.image !== 'string' || !/(^|\/)traefik$/.test(parseImage(ref.c.image).name)) continue;
      out.push({ object: o, container: ref, providers: providersFromFlags(flags(ref.c)) });
    }
  }
  return out;
}
