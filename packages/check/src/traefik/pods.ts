/** The workloads behind a Service (by selector), for what their pods declare. */
import { mapSelectorMatches, podTemplate } from '../k8s.js';
import type { K8sObject } from '../model.js';
import { at, isRecord, records } from '../read.js';

export function findService(objects: readonly K8sObject[], name: string, namespace: string): K8sObject | undefined {
  return objects.find((o) => o.kind === 'Service' && o.name === name && (o.namespace ?? 'default') === namespace);
}

/** Workloads of the Service's namespace whose pod template its selector matches. */
export function workloadsBehind(service: K8sObject, objects: readonly K8sObject[]): K8sObject[] {
  const selector = at(service.data, 'spec', 'selector');
  if (!isRecord(selector)) return [];
  const ns = service.namespace ?? 'default';
  return objects.filter((o) => {
    const tpl = podTemplate(o);
    return tpl !== undefined && (o.namespace ?? 'default') === ns && mapSelectorMatches(selector, tpl.labels);
  });
}

export function hasReadinessProbe(workload: K8sObject): boolean {
  const tpl = podTemplate(workload);
  if (!tpl) return false;
  return records(at(workload.data, ...tpl.specPath, 'containers')).some(({ value: c }) => isRecord(c.readinessProbe));
}
