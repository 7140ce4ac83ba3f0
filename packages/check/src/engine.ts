/** Runs the selected rules over each unit and turns their reports into located findings. */
import { annotationsOf } from './k8s.js';
import { ANY_KIND, COMPOSE, DOCKERFILE, POD_TEMPLATE_KINDS } from './kinds.js';
import {
  docsUrl,
  IGNORE_ANNOTATION,
  type ExternalObject,
  type Finding,
  type K8sObject,
  type Profile,
  type RawFinding,
  type Rule,
  type RuleContext,
  type RunView,
  type SchemaOutcome,
  type Severity,
  type Unit,
  type UserProfile,
} from './model.js';
import { DEFAULT_CLUSTER, type ClusterModel } from './cluster/model.js';
import { allRules } from './rules/index.js';
import { runValidator, validatorFor } from './schema/kubernetes.js';
import { isTraefikKind, validateTraefik } from './schema/traefik.js';

export interface CheckConfig {
  /** Per rule: a severity, or "off" to disable. */
  readonly rules?: Readonly<Record<string, Severity | 'off'>>;
  /** Objects that exist in the cluster but not in the input (apply to every unit). */
  readonly external?: readonly ExternalObject[];
}

export interface CheckOptions {
  readonly profiles: readonly UserProfile[];
  readonly config?: CheckConfig;
  /** Restricts the run to these rule ids (tests use it). */
  readonly only?: readonly string[];
  readonly rules?: readonly Rule[];
  /** Default: DEFAULT_CLUSTER, the course's minimum. */
  readonly cluster?: ClusterModel;
  /** Default: DEFAULT_KUBERNETES_VERSION. */
  readonly kubernetesVersion?: string;
}

/** The Kubernetes version checked against when none is given (a stable release). */
export const DEFAULT_KUBERNETES_VERSION = '1.34';

export function selectRules(opts: CheckOptions): { rule: Rule; severity: Severity }[] {
  const profiles = new Set<Profile>(['core', ...opts.profiles]);
  const out: { rule: Rule; severity: Severity }[] = [];
  for (const rule of opts.rules ?? allRules) {
    if (opts.only && !opts.only.includes(rule.id)) continue;
    if (!opts.only && !rule.profiles.some((p) => profiles.has(p))) continue;
    const override = opts.config?.rules?.[rule.id];
    if (override === 'off') continue;
    out.push({ rule, severity: override ?? rule.severity });
  }
  return out;
}

async function validateAll(unit: Unit): Promise<Map<K8sObject, SchemaOutcome>> {
  const out = new Map<K8sObject, SchemaOutcome>();
  // Load the validators of every kind present at once: one after the other, each module load
  // waits for its file reads in turn.
  await Promise.all(unit.objects.filter((o) => !isTraefikKind(o.apiVersion, o.kind)).map((o) => validatorFor(o.apiVersion, o.kind)));
  for (const o of unit.objects) {
    if (isTraefikKind(o.apiVersion, o.kind)) {
      out.set(o, { known: true, ...validateTraefik(o.kind, o.data) });
      continue;
    }
    const validate = await validatorFor(o.apiVersion, o.kind);
    out.set(o, validate ? { known: true, ...runValidator(validate, o.data) } : { known: false, errors: [], unknown: [] });
  }
  return out;
}

function suppressed(o: K8sObject | undefined, ruleId: string): boolean {
  if (!o) return false;
  const v = annotationsOf(o)[IGNORE_ANNOTATION];
  if (typeof v !== 'string') return false;
  return v.split(',').map((s) => s.trim()).some((id) => id === ruleId || id === 'all');
}

export function locate(rule: Rule, severity: Severity, raw: RawFinding): Finding {
  const base = { rule: rule.id, severity, message: raw.message, docsUrl: docsUrl(rule.id) };
  if (raw.object) {
    const o = raw.object;
    return {
      ...base,
      file: o.file,
      line: o.line,
      fieldLine: raw.path ? o.lineOf(raw.path) : o.line,
      kind: o.kind,
      name: o.name,
      ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    };
  }
  if (raw.compose) {
    const line = raw.path ? raw.compose.lineOf(raw.path) : 1;
    return { ...base, file: raw.compose.file, line, fieldLine: line };
  }
  const file = raw.dockerfile?.file ?? raw.file ?? '';
  return { ...base, file, line: raw.line, fieldLine: raw.line };
}

/** Objects grouped by kind, in input order. */
export function indexByKind(objects: readonly K8sObject[]): (...kinds: readonly string[]) => readonly K8sObject[] {
  const index = new Map<string, K8sObject[]>();
  for (const o of objects) {
    const list = index.get(o.kind);
    if (list) list.push(o);
    else index.set(o.kind, [o]);
  }
  return (...kinds) => {
    if (kinds.includes(ANY_KIND)) return objects;
    if (kinds.length === 1) return index.get(kinds[0] ?? '') ?? [];
    // Several kinds: keep the input order, as a filter of the whole list would.
    const wanted = new Set(kinds);
    return objects.filter((o) => wanted.has(o.kind));
  };
}

/**
 * Whether a rule has anything to look at in a unit: objects of its kinds (any object for `*`),
 * compose files, Dockerfiles; for a rule that reports what is missing, any workload (a unit that
 * runs nothing, such as a kustomization of CRDs applied first, is not a deployment missing parts).
 */
export function applies(rule: Rule, unit: Unit, objectsOf: (...kinds: readonly string[]) => readonly K8sObject[]): boolean {
  return rule.kinds.some((k) => {
    if (k === COMPOSE) return unit.compose.length > 0;
    if (k === DOCKERFILE) return unit.dockerfiles.length > 0;
    // Syntax findings come from files that yield no object, so `*` rules always run.
    if (k === ANY_KIND) return true;
    return objectsOf(k).length > 0;
  }) || (rule.reportsAbsence === true && objectsOf(...POD_TEMPLATE_KINDS).length > 0);
}

/** The run as a whole (every unit's objects, indexed once per run). */
export function runView(units: readonly Unit[]): RunView {
  return { objectsOf: indexByKind(units.length === 1 ? (units[0]?.objects ?? []) : units.flatMap((u) => u.objects)) };
}

/**
 * What the rules see of a unit (the schema outcomes computed beforehand); `run` is the whole run
 * the unit belongs to (default: the unit alone).
 */
export function ruleContext(unit: Unit, schema: ReadonlyMap<K8sObject, SchemaOutcome>, opts: Omit<CheckOptions, 'profiles'> = {}, run: RunView = runView([unit])): RuleContext {
  return {
    unit,
    run,
    schema,
    external: [...(unit.external ?? []), ...(opts.config?.external ?? [])],
    cluster: opts.cluster ?? DEFAULT_CLUSTER,
    kubernetesVersion: opts.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION,
    objectsOf: indexByKind(unit.objects),
  };
}

export async function checkUnits(units: readonly Unit[], opts: CheckOptions): Promise<Finding[]> {
  const rules = selectRules(opts);
  const findings: Finding[] = [];
  const run = runView(units);
  for (const unit of units) {
    const ctx = ruleContext(unit, await validateAll(unit), opts, run);
    for (const { rule, severity } of rules) {
      if (!applies(rule, unit, ctx.objectsOf)) continue;
      for (const raw of rule.check(ctx)) {
        if (suppressed(raw.object, rule.id)) continue;
        // A finding's own level applies unless --config changed the rule's.
        findings.push(locate(rule, raw.severity !== undefined && severity === rule.severity ? raw.severity : severity, raw));
      }
    }
  }
  const seen = new Set<string>();
  return findings
    .filter((f) => {
      const key = `${f.rule}\0${f.file}\0${f.fieldLine}\0${f.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.fieldLine ?? 0) - (b.fieldLine ?? 0) || a.rule.localeCompare(b.rule));
}
