/** The data every part of the checker shares: inputs, findings, rules. */
import type { Document, LineCounter } from 'yaml';
import type { ClusterModel } from './cluster/model.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** `core` rules (syntax, schema, cross-references) run with every profile. */
export type Profile = 'core' | 'bernstein' | 'production';
export const USER_PROFILES = ['bernstein', 'production'] as const;
export type UserProfile = (typeof USER_PROFILES)[number];

export type Path = readonly (string | number)[];

/** A parsed YAML document with the means to find the line of any field in it. */
export interface YamlSource {
  /** File shown to the user (relative to the working directory when possible). */
  readonly file: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  /** Line of the document start (1-based). */
  readonly line: number;
}

/** One Kubernetes object from a manifest (or from a kustomize render mapped back to its source). */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Namespace as written; undefined means the default namespace. */
  readonly namespace: string | undefined;
  /** The object as written: user input of any shape, read through read.ts and k8s.ts. */
  readonly data: unknown;
  readonly file: string;
  /** Line of the object (1-based). */
  readonly line: number;
  /** Line of a field, or of its nearest present ancestor. */
  readonly lineOf: (path: Path) => number;
}

export interface ComposeFile {
  readonly file: string;
  /** Absolute path, to read the env_file entries next to it. */
  readonly absPath: string;
  /** The file's content: user input of any shape, read through read.ts. */
  readonly data: unknown;
  readonly lineOf: (path: Path) => number;
}

export interface DockerInstruction {
  readonly instruction: string;
  readonly args: string;
  readonly line: number;
}

export interface Dockerfile {
  readonly file: string;
  readonly instructions: readonly DockerInstruction[];
}

/** A syntax problem found while reading an input (reported by the yaml-syntax family). */
export interface ParseProblem {
  readonly rule: 'yaml-syntax' | 'document-separator';
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Kinds that can be declared as existing in the cluster but not in the input. */
// CustomResourceDefinition: CRDs applied before the unit (crd-same-apply), named like `ingressroutes.traefik.io`.
export const EXTERNAL_KINDS = ['Secret', 'ConfigMap', 'PersistentVolumeClaim', 'PersistentVolume', 'ServiceAccount', 'CustomResourceDefinition'] as const;
export type ExternalKind = (typeof EXTERNAL_KINDS)[number];
/** Kinds whose references name keys, so a declaration must list them. */
export const KEYED_KINDS: readonly ExternalKind[] = ['Secret', 'ConfigMap'];

/**
 * An object created out of band (e.g. a production Secret): cross-reference rules treat it as
 * existing, with exactly the keys declared.
 */
export interface ExternalObject {
  readonly kind: ExternalKind;
  readonly name: string;
  /** Undefined: the declaration applies in every namespace (an overlay may move the app). */
  readonly namespace?: string;
  /** Keys of a Secret/ConfigMap (required for those kinds, absent for the others). */
  readonly keys?: readonly string[];
  /** Where it was declared, for messages. */
  readonly source: string;
}

/** File next to a kustomization (or in a directory checked) declaring its external objects. */
export const UNIT_CONFIG_FILE = 'bernstein-check.yaml';

/** A YAML file of a unit as written (before any Kustomize transformation), for file-level rules. */
export interface ManifestFile {
  /** File shown to the user. */
  readonly file: string;
  /** Kinds of the Kubernetes objects in the file, in order. */
  readonly kinds: readonly string[];
  /** Documents with content that are not Kubernetes objects (a CI file, values, …). */
  readonly otherDocuments: number;
  /** True when a document of the file could not be parsed (yaml-syntax reports it). */
  readonly broken: boolean;
}

/** What is checked together: one kustomize render, or the loose files given. */
export interface Unit {
  /** Directory or file the unit came from (for findings about what is missing). */
  readonly root: string;
  /** File names (base names) present in the unit, for layout rules. */
  readonly fileNames: readonly string[];
  /** True when the unit is a whole directory (so "missing file" findings make sense). */
  readonly isDirectory: boolean;
  /** True for a Kustomize render, which `kubectl apply -k` applies in one go. */
  readonly rendered?: boolean;
  readonly objects: readonly K8sObject[];
  readonly compose: readonly ComposeFile[];
  readonly dockerfiles: readonly Dockerfile[];
  readonly problems: readonly ParseProblem[];
  /** Objects declared in the unit's own `bernstein-check.yaml`. */
  readonly external?: readonly ExternalObject[];
  /** The unit's Kubernetes YAML files (not compose files), each with the kinds it holds. */
  readonly manifests?: readonly ManifestFile[];
}

/** What a rule reports; the engine adds rule id, severity and location. */
export interface RawFinding {
  readonly message: string;
  /** The object concerned (gives file, line, kind/name, suppression annotations). */
  readonly object?: K8sObject;
  /** Field path inside the object or compose file, for the field's line. */
  readonly path?: Path;
  readonly compose?: ComposeFile;
  readonly dockerfile?: Dockerfile;
  /** Explicit location, for findings that are not about one object. */
  readonly file?: string;
  readonly line?: number;
  /**
   * A level other than the rule's own, for the one finding (e.g. a drain that blocks forever
   * is an error, one that merely leaves pods Pending a warning); `--config` still overrides it.
   */
  readonly severity?: Severity;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  /** Line of the object (or of the file's problem); undefined for findings about a directory. */
  readonly line: number | undefined;
  /** Line of the field when known (equals `line` otherwise). */
  readonly fieldLine: number | undefined;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly docsUrl: string;
}

export interface SchemaProblem {
  readonly path: Path;
  readonly message: string;
}

/** Schema validation of one object, done before the rules run (validators load lazily). */
export interface SchemaOutcome {
  /** False when no schema is known for the apiVersion/kind. */
  readonly known: boolean;
  readonly errors: readonly SchemaProblem[];
  readonly unknown: readonly Path[];
}

/**
 * What a rule sees of the whole run: every unit given together. For facts that hold across
 * units, such as CustomResourceDefinitions applied first from a kustomization of their own
 * (as crd-same-apply asks) while the custom resources are in another unit of the same run.
 */
export interface RunView {
  /** Objects of these kinds in every unit of the run (all objects for `*`), in input order. */
  readonly objectsOf: (...kinds: readonly string[]) => readonly K8sObject[];
}

export interface RuleContext {
  readonly unit: Unit;
  /** The whole run; everything else in the context is about `unit` alone. */
  readonly run: RunView;
  readonly schema: ReadonlyMap<K8sObject, SchemaOutcome>;
  /** Objects declared external for this unit (from --config and the unit's own file). */
  readonly external?: readonly ExternalObject[];
  /** The cluster the scheduling, rollout, drain and storage analyses reason about. */
  readonly cluster: ClusterModel;
  /** Kubernetes version the manifests target ("1.34"), for API removals and defaults. */
  readonly kubernetesVersion: string;
  /** The unit's objects of these kinds (all objects for `*`), in input order, from an index by kind. */
  readonly objectsOf: (...kinds: readonly string[]) => readonly K8sObject[];
}

export interface Rule {
  readonly id: string;
  readonly description: string;
  readonly remediation: string;
  readonly severity: Severity;
  readonly profiles: readonly Profile[];
  /**
   * Kinds the rule reports on (see kinds.ts for the named groups); `compose` and `Dockerfile` for
   * those inputs; `*` for any object. The engine runs the rule on a unit only when the unit has
   * inputs of these kinds, and a test holds every finding on an object to them.
   */
  readonly kinds: readonly string[];
  /**
   * Also run on units that have workloads (objects with a pod template) but none of `kinds`, to
   * report what is missing there (findings about the unit, such as "no Service for poll"), not
   * about objects of other kinds.
   */
  readonly reportsAbsence?: boolean;
  check(ctx: RuleContext): Iterable<RawFinding>;
}

/** Relative to the repository root: the page generated from the rules' metadata. */
export const DOCS_BASE = 'packages/check/docs/rules.md';
export function docsUrl(id: string): string {
  return `${DOCS_BASE}#${id}`;
}

/** Annotation listing rule ids (comma separated) that do not apply to this object. */
export const IGNORE_ANNOTATION = 'bernstein.dev/ignore';
