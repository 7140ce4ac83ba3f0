/** Validation of built-in Kubernetes kinds with the kubernetes-models (v4) validators. */
import type { Path } from '../model.js';
import { record } from './recorder.js';
import { text } from '../read.js';

export interface SchemaError {
  readonly path: Path;
  readonly message: string;
}

export interface SchemaResult {
  readonly errors: SchemaError[];
  readonly unknown: Path[];
}

type Validate = (this: unknown) => void;
const models = new Map<string, Promise<Validate | undefined>>();

const API_VERSION = /^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

/**
 * Finds the validator of a built-in kind; undefined when kubernetes-models does not know it.
 * Each kind's module is imported on its own (not the whole API group) to keep start-up short.
 */
export function validatorFor(apiVersion: string, kind: string): Promise<Validate | undefined> {
  const key = `${apiVersion}/${kind}`;
  let m = models.get(key);
  if (!m) {
    m = API_VERSION.test(apiVersion) && KIND.test(kind)
      ? (import(`kubernetes-models/${apiVersion}/${kind}`) as Promise<Record<string, unknown>>)
          .then((mod) => (mod[kind] as { prototype?: { validate?: Validate } } | undefined)?.prototype?.validate)
          .catch(() => undefined)
      : Promise.resolve(undefined);
    models.set(key, m);
  }
  return m;
}

function toPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * The kubernetes-models schema of a CRD's JSONSchemaProps lacks `description` and the
 * `x-kubernetes-*` extensions that the API server accepts; they are not typos.
 */
function upstreamGap(path: Path): boolean {
  const key = String(path[path.length - 1]);
  return path.includes('openAPIV3Schema') && (key === 'description' || key.startsWith('x-kubernetes-'));
}

export function runValidator(validate: Validate, data: unknown): SchemaResult {
  const rec = record(data);
  const errors: SchemaError[] = [];
  try {
    validate.call(rec.root);
  } catch (err) {
    const list = (err as { errors?: AjvError[] }).errors ?? [];
    for (const e of list) {
      const path = toPath(e.instancePath ?? '');
      const missing = e.keyword === 'required' ? text(e.params?.missingProperty ?? '') : '';
      const where = path.length > 0 ? path.join('.') : '(object)';
      errors.push({ path, message: missing ? `${where}: required field "${missing}" is missing` : `${where}: ${e.message ?? 'invalid'}` });
    }
    if (list.length === 0) errors.push({ path: [], message: (err as Error).message });
  }
  // oneOf/anyOf branches can report the same problem twice.
  const seen = new Set<string>();
  return {
    errors: errors.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true))),
    unknown: rec.unknownFields().filter((p) => !upstreamGap(p)),
  };
}
