/**
 * Which of our services a container runs, and which variables that service requires — read from
 * the services' own configuration schema in @bernstein/common, never from a copied list.
 */
import { serviceSpecs, type ServiceName } from '@bernstein/common/config';
import { parseImage } from './image.js';
import type { ContainerRef } from './k8s.js';
import { list } from './read.js';

export const SERVICE_NAMES = ['poll', 'worker', 'result'] as const;

export function requiredVariables(service: ServiceName): string[] {
  return Object.values(serviceSpecs[service])
    .filter((v) => v.required)
    .map((v) => v.name);
}

export function secretVariables(): Set<string> {
  return new Set(Object.values(serviceSpecs).flatMap((s) => Object.values(s).filter((v) => v.secret).map((v) => v.name)));
}

/** The service a container runs: by image name, else by the app.kubernetes.io/name label. */
export function serviceOf(container: ContainerRef, labels: Readonly<Record<string, string>>): ServiceName | undefined {
  const words = [...list(container.c.command), ...list(container.c.args)].map(String);
  const image = container.image !== undefined ? parseImage(container.image).name.split('/').pop() ?? '' : '';
  let service: ServiceName | undefined = SERVICE_NAMES.find((s) => image.includes(s));
  if (!service) {
    const label = labels['app.kubernetes.io/name'];
    service = SERVICE_NAMES.find((s) => s === label);
  }
  if (service === 'worker' && words.some((w) => /(^|\/)migrate(\.js)?$/.test(w))) return 'migrate';
  return service;
}
