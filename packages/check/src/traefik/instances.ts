/** The Traefik workloads of an input, each with its version, static configuration and providers. */
import { podTemplate } from '../k8s.js';
import type { K8sObject, Path } from '../model.js';
import { at, records, str } from '../read.js';
import { foreignProviderFlags, providersOf, type Provider, type ProviderKind } from './providers.js';
import { argsPath, staticConfig, type StaticConfig } from './static-config.js';
import { isTraefikImage, versionFromImage, type TraefikVersion } from './version.js';

export interface TraefikInstance {
  readonly object: K8sObject;
  readonly container: Readonly<Record<string, unknown>>;
  readonly containerPath: Path;
  /** Where a finding about a flag points: the container's args (or command). */
  readonly argsPath: Path;
  readonly podSpec: unknown;
  readonly podSpecPath: Path;
  readonly namespace: string;
  /** "kube-public/traefik", for messages. */
  readonly id: string;
  readonly version: TraefikVersion;
  readonly config: StaticConfig;
  /** Undefined when the configuration is not readable from the input (a file outside it). */
  readonly providers: readonly Provider[] | undefined;
  /** Provider flags of the other dialect (1.7 vs 2.x/3.x), which this version ignores. */
  readonly foreignFlags: readonly string[];
  readonly serviceAccount: string;
}

const cache = new WeakMap<readonly K8sObject[], TraefikInstance[]>();

export function traefikInstances(objects: readonly K8sObject[]): TraefikInstance[] {
  const hit = cache.get(objects);
  if (hit) return hit;
  const out: TraefikInstance[] = [];
  for (const object of objects) {
    const tpl = podTemplate(object);
    if (!tpl) continue;
    const podSpec = at(object.data, ...tpl.specPath);
    for (const { value: container, index } of records(at(podSpec, 'containers'))) {
      const image = str(container.image);
      if (image === undefined || !isTraefikImage(image)) continue;
      const namespace = object.namespace ?? 'default';
      const version = versionFromImage(image);
      const config = staticConfig(version, { container, podSpec, objects, namespace });
      const containerPath: Path = [...tpl.specPath, 'containers', index];
      out.push({
        object,
        container,
        containerPath,
        argsPath: argsPath(containerPath, container),
        podSpec,
        podSpecPath: tpl.specPath,
        namespace,
        id: `${namespace}/${object.name}`,
        version,
        config,
        providers: config.source.kind === 'unknown' ? undefined : providersOf(version, config),
        foreignFlags: foreignProviderFlags(version, config),
        serviceAccount: str(at(podSpec, 'serviceAccountName')) ?? str(at(podSpec, 'serviceAccount')) ?? 'default',
      });
    }
  }
  cache.set(objects, out);
  return out;
}

export function providerOf(t: TraefikInstance, kind: ProviderKind): Provider | undefined {
  return t.providers?.find((p) => p.kind === kind);
}
