/**
 * Which Ingresses a Traefik serves: ingressClassName, the legacy `kubernetes.io/ingress.class`
 * annotation, IngressClass objects and the provider's ingressClass option, per version.
 *
 * 2.x/3.x (https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/,
 * option ingressClass): "If empty, resources missing the annotation, having an empty value, or the
 * value `traefik` are processed" — so an Ingress without any class IS served by a provider without
 * a class filter. An Ingress with ingressClassName is served only when an IngressClass of that name
 * with controller `traefik.io/ingress-controller` exists (and, with a filter, only that name);
 * with disableIngressClassLookup/disableClusterScopeResources such Ingresses are ignored.
 * 1.7 (https://doc.traefik.io/traefik/v1.7/configuration/backends/kubernetes/) reads only the
 * annotation, with the same empty/`traefik` rule.
 * A class-less Ingress created while an IngressClass is marked default gets that class
 * (https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class).
 */
import type { K8sObject } from '../model.js';
import { at, str, stringMap } from '../read.js';
import type { TraefikInstance } from './instances.js';
import type { Provider } from './providers.js';
import { isV1 } from './version.js';

export const TRAEFIK_CONTROLLER = 'traefik.io/ingress-controller';
export const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface IngressClassInfo {
  readonly object: K8sObject;
  readonly name: string;
  readonly controller: string;
  readonly isDefault: boolean;
}

export function ingressClasses(objects: readonly K8sObject[]): IngressClassInfo[] {
  return objects
    .filter((o) => o.kind === 'IngressClass')
    .map((object) => ({
      object,
      name: object.name,
      controller: str(at(object.data, 'spec', 'controller')) ?? '',
      isDefault: stringMap(at(object.data, 'metadata', 'annotations'))[DEFAULT_CLASS_ANNOTATION] === 'true',
    }));
}

/** The class an Ingress asks for, as the API server stores it. */
export interface IngressClassRequest {
  /** spec.ingressClassName, or the default class the API server assigns to a class-less Ingress. */
  readonly className: string | undefined;
  readonly assignedDefault: boolean;
  readonly annotation: string | undefined;
}

export function classRequest(ingress: K8sObject, classes: readonly IngressClassInfo[]): IngressClassRequest {
  const annotation = stringMap(at(ingress.data, 'metadata', 'annotations'))[CLASS_ANNOTATION];
  const own = str(at(ingress.data, 'spec', 'ingressClassName'));
  if (own !== undefined) return { className: own, assignedDefault: false, annotation };
  const def = annotation === undefined ? classes.find((c) => c.isDefault) : undefined;
  return { className: def?.name, assignedDefault: def !== undefined, annotation };
}

export interface Verdict {
  readonly serves: boolean;
  /** Why not (for messages), or how it matched. */
  readonly reason: string;
}

function annotationMatches(provider: Provider, annotation: string | undefined): boolean {
  if (provider.ingressClass !== '') return annotation === provider.ingressClass;
  return annotation === undefined || annotation === '' || annotation === 'traefik';
}

/** Whether this Traefik's Kubernetes Ingress provider serves the Ingress, and why. */
export function ingressVerdict(t: TraefikInstance, provider: Provider, ingress: K8sObject, classes: readonly IngressClassInfo[]): Verdict {
  const ns = ingress.namespace ?? 'default';
  if (provider.namespaces.length > 0 && !provider.namespaces.includes(ns)) return { serves: false, reason: `it watches only namespaces ${provider.namespaces.join(', ')}` };
  const req = classRequest(ingress, classes);
  const filter = provider.ingressClass === '' ? 'without an ingressClass filter' : `with ingressClass "${provider.ingressClass}"`;
  if (isV1(t.version)) {
    // 1.7 predates spec.ingressClassName and IngressClass: only the annotation counts.
    return annotationMatches(provider, req.annotation)
      ? { serves: true, reason: `annotation ${req.annotation === undefined ? 'absent' : `"${req.annotation}"`}, provider ${filter}` }
      : { serves: false, reason: `its provider runs ${filter} and reads only the ${CLASS_ANNOTATION} annotation (${req.annotation === undefined ? 'absent' : `"${req.annotation}"`})` };
  }
  if (req.className !== undefined) {
    const how = req.assignedDefault ? `the default IngressClass "${req.className}" (assigned by the API server)` : `ingressClassName "${req.className}"`;
    if (provider.noIngressClassLookup) return { serves: false, reason: `it runs with IngressClass lookup disabled, so it ignores Ingresses with ${how}` };
    if (provider.ingressClass !== '' && provider.ingressClass !== req.className) return { serves: false, reason: `its provider runs ${filter}, not "${req.className}"` };
    const cls = classes.find((c) => c.name === req.className);
    if (!cls) return { serves: false, reason: `it serves ${how} only if an IngressClass "${req.className}" with controller ${TRAEFIK_CONTROLLER} exists, and none is in the input` };
    if (cls.controller !== TRAEFIK_CONTROLLER) return { serves: false, reason: `IngressClass "${req.className}" belongs to controller ${cls.controller || '(none)'}` };
    return { serves: true, reason: how };
  }
  return annotationMatches(provider, req.annotation)
    ? { serves: true, reason: req.annotation === undefined ? 'no class' : `annotation "${req.annotation}"` }
    : { serves: false, reason: `its provider runs ${filter} (annotation ${req.annotation === undefined ? 'absent' : `"${req.annotation}"`})` };
}

/** The controller (not Traefik) an Ingress's class belongs to, when an IngressClass of the input says so. */
export function otherController(ingress: K8sObject, classes: readonly IngressClassInfo[]): string | undefined {
  const req = classRequest(ingress, classes);
  const cls = classes.find((c) => c.name === (req.className ?? req.annotation));
  return cls && cls.controller !== TRAEFIK_CONTROLLER ? cls.controller : undefined;
}

/** Whether the Ingress looks meant for Traefik (no class, a class naming traefik, or a Traefik IngressClass). */
export function meantForTraefik(ingress: K8sObject, classes: readonly IngressClassInfo[]): boolean {
  const req = classRequest(ingress, classes);
  const name = req.className ?? req.annotation;
  if (name === undefined || name === '') return true;
  const cls = classes.find((c) => c.name === name);
  return cls ? cls.controller === TRAEFIK_CONTROLLER : name.includes('traefik');
}
