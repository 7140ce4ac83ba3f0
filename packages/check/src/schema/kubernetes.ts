/** Validation of built-in Kubernetes kinds with the kubernetes-models (v4) validators. */
import type { Path } from '../model.js';
import { record } from './recorder.js';

export interface SchemaError {
  readonly path: Path;
  readonly message: string;
}

export interface SchemaResult {
  readonly errors: SchemaError[];
  readonly unknown: Path[];
}

type Validate = (this: unknown) => void;
const groups = new Map<string, Promise<Record<string, unknown> | undefined>>();

const API_VERSION = /^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;

function loadGroup(apiVersion: string): Promise<Record<string, unknown> | undefined> {
  let g = groups.get(apiVersion);
  if (!g) {
    g = API_VERSION.test(apiVersion)
      ? (import(`kubernetes-models/${apiVersion}`) as Promise<Record<string, unknown>>).catch(() => undefined)
      : Promise.resolve(undefined);
    groups.set(apiVersion, g);
  }
  return g;
}

/** Finds the validator of a built-in kind; undefined when kubernetes-models does not know it. */
export async function validatorFor(apiVersion: string, kind: string): Promise<Validate | undefined> {
  const group = await loadGroup(apiVersion);
  const model = group?.[kind] as { prototype?: { validate?: Validate } } | undefined;
  return model?.prototype?.validate;
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

export function runValidator(validate: Validate, data: unknown): SchemaResult {
  const rec = record(data);
  const errors: SchemaError[] = [];
  try {
    validate.call(rec.root);
  } catch (err) {
    const list = ((err as { errors?: AjvError[] }).errors ?? []) as AjvError[];
    for (const e of list) {
      const path = toPath(e.instancePath ?? '');
      const missing = e.keyword === 'required' ? String(e.params?.missingProperty ?? '') : '';
      const where = path.length > 0 ? path.join('.') : '(object)';
      errors.push({ path, message: missing ? `${where}: required field "${missing}" is missing` : `${where}: ${e.message ?? 'invalid'}` });
    }
    if (list.length === 0) errors.push({ path: [], message: (err as Error).message });
  }
  // oneOf/anyOf branches can report the same problem twice.
  const seen = new Set<string>();
  return {
    errors: errors.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true))),
    unknown: rec.unknownFields(),
  };
}
