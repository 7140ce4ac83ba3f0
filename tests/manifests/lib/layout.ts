/**
 * The Kubernetes deployment described as data: where it lives, the course's files, the
 * optional components, the overlays, and every combination CI renders.
 */
import { fileURLToPath } from 'node:url';

/** deploy/kubernetes of this repository (same depth from src/ and dist/). */
export const kubernetesDir = fileURLToPath(new URL('../../../deploy/kubernetes/', import.meta.url));

/** The 19 files the course names, at the root of base/. */
export const COURSE_FILES = [
  'cadvisor.daemonset.yaml',
  'poll.deployment.yaml',
  'poll.ingress.yaml',
  'poll.service.yaml',
  'postgres.configmap.yaml',
  'postgres.deployment.yaml',
  'postgres.secret.yaml',
  'postgres.service.yaml',
  'postgres.volume.yaml',
  'redis.configmap.yaml',
  'redis.deployment.yaml',
  'redis.service.yaml',
  'result.deployment.yaml',
  'result.ingress.yaml',
  'result.service.yaml',
  'traefik.deployment.yaml',
  'traefik.rbac.yaml',
  'traefik.service.yaml',
  'worker.deployment.yaml',
] as const;

/** Optional Kustomize components under components/, in the order they are applied. */
// app-only comes last: it also removes the cluster-wide objects other components add (the
// NetworkPolicies of Traefik and cAdvisor from network-policies). keda-worker comes after
// network-policies: it opens Redis' policy to KEDA's operator.
export const COMPONENTS = ['autoscaling', 'network-policies', 'keda-worker', 'monitoring', 'canary', 'app-only'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** Overlays under overlays/. */
export const OVERLAYS = ['local', 'production', 'instance-2'] as const;
export type OverlayName = (typeof OVERLAYS)[number];

/**
 * Combinations that cannot work and are therefore not rendered: the canary component
 * patches the cluster's Traefik, which app-only removes.
 */
export function isValidCombination(components: readonly ComponentName[]): boolean {
  return !(components.includes('app-only') && components.includes('canary'));
}

export interface Combination {
  /** "base" or "base+autoscaling+monitoring" … */
  readonly name: string;
  readonly components: readonly ComponentName[];
}

/** The base with every valid subset of the components (2^6 minus the invalid ones). */
export function componentCombinations(): Combination[] {
  const out: Combination[] = [];
  for (let mask = 0; mask < 1 << COMPONENTS.length; mask++) {
    const components = COMPONENTS.filter((_, i) => (mask & (1 << i)) !== 0);
    if (!isValidCombination(components)) continue;
    out.push({ name: ['base', ...components].join('+'), components });
  }
  return out;
}

/**
 * Secrets the production overlay expects to exist in the cluster (created out of band,
 * never committed), with the keys the workloads read from them.
 */
export const PRODUCTION_EXTERNAL_SECRETS: Readonly<Record<string, readonly string[]>> = {
  postgres: ['POSTGRES_USER', 'POSTGRES_PASSWORD'],
  poll: ['COOKIE_SECRET'],
  'bernstein-tls': ['tls.crt', 'tls.key'],
};
