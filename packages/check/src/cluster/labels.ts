/** Label selectors, node selector terms and tolerations, read from manifest data (`unknown`). */
import { isRecord, list, records, str, strings, stringMap } from '../read.js';
import type { ClusterNode, Taint } from './model.js';

/**
 * Whether a metav1.LabelSelector selects these labels. An empty selector (`{}`) selects
 * everything where the API says so (affinity terms, PodDisruptionBudgets in policy/v1), and an
 * absent one selects nothing.
 */
export function selects(selector: unknown, labels: Readonly<Record<string, string>>, emptySelectsAll = true): boolean {
  if (!isRecord(selector)) return false;
  const matchLabels = stringMap(selector.matchLabels);
  const expressions = records(selector.matchExpressions).map((r) => r.value);
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return emptySelectsAll;
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  return expressions.every((e) => expressionHolds(str(e.key) ?? '', str(e.operator) ?? '', strings(e.values), labels));
}

function expressionHolds(key: string, operator: string, values: readonly string[], labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, key) ? labels[key] : undefined;
  switch (operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    // Node selector terms only: a single integer value compared with the label's.
    case 'Gt':
    case 'Lt': {
      const a = Number(value);
      const b = Number(values[0]);
      if (value === undefined || !Number.isInteger(a) || !Number.isInteger(b)) return false;
      return operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/**
 * A selector narrowed by `matchLabelKeys`: each key's value on the incoming pod is required too
 * (keys the pod does not have are ignored), as topology spread and pod affinity define it.
 */
export function withMatchLabelKeys(selector: unknown, keys: readonly string[], podLabels: Readonly<Record<string, string>>): unknown {
  const extra = keys.filter((k) => Object.hasOwn(podLabels, k));
  if (extra.length === 0 || !isRecord(selector)) return selector;
  const expressions = [...list(selector.matchExpressions), ...extra.map((k) => ({ key: k, operator: 'In', values: [podLabels[k]] }))];
  return { ...selector, matchExpressions: expressions };
}

/**
 * Required node affinity: `nodeSelectorTerms` are ORed, the expressions (and `matchFields` on
 * `metadata.name`) of one term ANDed; a term with neither matches no node.
 */
export function nodeMatchesTerms(terms: readonly Record<string, unknown>[], node: ClusterNode): boolean {
  return terms.some((term) => {
    const exprs = records(term.matchExpressions).map((r) => r.value);
    const fields = records(term.matchFields).map((r) => r.value);
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((e) => expressionHolds(str(e.key) ?? '', str(e.operator) ?? '', strings(e.values), node.labels)) &&
      fields.every((f) => str(f.key) === 'metadata.name' && expressionHolds('metadata.name', str(f.operator) ?? '', strings(f.values), { 'metadata.name': node.name }))
    );
  });
}

export interface Toleration {
  readonly key?: string;
  readonly operator: 'Equal' | 'Exists';
  readonly value?: string;
  readonly effect?: string;
}

export function readTolerations(v: unknown): Toleration[] {
  return records(v).map(({ value: t }) => {
    const key = str(t.key);
    const value = str(t.value);
    const effect = str(t.effect);
    return {
      operator: t.operator === 'Exists' ? 'Exists' : 'Equal',
      ...(key !== undefined && key !== '' ? { key } : {}),
      ...(value !== undefined ? { value } : {}),
      ...(effect !== undefined && effect !== '' ? { effect } : {}),
    };
  });
}

/**
 * A toleration matches a taint when the effects match (an empty effect matches all), the keys
 * match (an empty key with `Exists` matches every key) and, for `Equal`, the values match.
 * https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
export function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect !== undefined && t.effect !== taint.effect) return false;
    if (t.key === undefined) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

export function formatTaint(t: Taint): string {
  return `${t.key}${t.value !== undefined && t.value !== '' ? `=${t.value}` : ''}:${t.effect}`;
}
