/** The optional config file: profiles, per-rule severity overrides, and external objects. */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { CheckConfig } from './engine.js';
import { EXTERNAL_KINDS, KEYED_KINDS, SEVERITIES, USER_PROFILES, type ExternalObject, type Severity, type UserProfile } from './model.js';
import { isRecord, oneOf, strings } from './read.js';
import { allRules } from './rules/index.js';

export class ConfigError extends Error {}

export interface FileConfig extends CheckConfig {
  readonly profiles?: readonly UserProfile[];
}

const RUN_KEYS = ['profiles', 'rules', 'external'];
/** A unit's own bernstein-check.yaml describes its cluster, not how the run is made. */
const UNIT_KEYS = ['external'];

async function readYaml(path: string, shown: string): Promise<unknown> {
  try {
    return parse(await readFile(path, 'utf8')) ?? {};
  } catch (err) {
    throw new ConfigError(`config file ${shown}: ${(err as Error).message.split('\n')[0]}`);
  }
}

export async function loadConfigFile(path: string): Promise<FileConfig> {
  return validateConfig(await readYaml(path, path), path);
}

/** A unit's bernstein-check.yaml: only `external` (profiles and rules belong to `--config`). */
export async function loadUnitConfigFile(path: string, shown: string): Promise<readonly ExternalObject[]> {
  return validateConfig(await readYaml(path, shown), shown, UNIT_KEYS).external ?? [];
}

export function validateConfig(raw: unknown, source: string, allowed: readonly string[] = RUN_KEYS): FileConfig {
  if (!isRecord(raw)) throw new ConfigError(`config file ${source}: expected a mapping with ${allowed.map((k) => `"${k}"`).join(', ')}`);
  const r = raw;
  for (const k of Object.keys(r)) {
    if (!allowed.includes(k)) {
      const where = allowed === UNIT_KEYS && RUN_KEYS.includes(k) ? ` (${k} belong in the file given with --config)` : '';
      throw new ConfigError(`config file ${source}: unknown key "${k}" (expected ${allowed.join(', ')})${where}`);
    }
  }
  let profiles: UserProfile[] | undefined;
  if (r.profiles !== undefined) {
    if (!Array.isArray(r.profiles)) throw new ConfigError(`config file ${source}: profiles must be a list`);
    profiles = r.profiles.map((p) => {
      if (!oneOf(USER_PROFILES, p)) throw new ConfigError(`config file ${source}: unknown profile "${String(p)}" (expected ${USER_PROFILES.join(', ')})`);
      return p;
    });
  }
  const rules: Record<string, Severity | 'off'> = {};
  if (r.rules !== undefined) {
    if (!isRecord(r.rules)) throw new ConfigError(`config file ${source}: rules must be a mapping of rule id to severity`);
    const ids = new Set(allRules.map((x) => x.id));
    for (const [id, v] of Object.entries(r.rules)) {
      if (!ids.has(id)) throw new ConfigError(`config file ${source}: unknown rule "${id}"`);
      if (v !== 'off' && !oneOf(SEVERITIES, v)) throw new ConfigError(`config file ${source}: rule "${id}": expected off, ${SEVERITIES.join(', ')}; got ${JSON.stringify(v)}`);
      rules[id] = v;
    }
  }
  const external = r.external === undefined ? undefined : validateExternal(r.external, source);
  return { ...(profiles ? { profiles } : {}), rules, ...(external ? { external } : {}) };
}

const EXTERNAL_FIELDS = ['kind', 'name', 'namespace', 'keys'];
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function validateExternal(raw: unknown, source: string): ExternalObject[] {
  if (!Array.isArray(raw)) throw new ConfigError(`config file ${source}: external must be a list of {kind, name, namespace?, keys?}`);
  const seen = new Set<string>();
  return raw.map((e, i) => {
    const at = `config file ${source}: external[${i}]`;
    if (!isRecord(e)) throw new ConfigError(`${at}: expected a mapping {kind, name, namespace?, keys?}`);
    const x = e;
    for (const k of Object.keys(x)) if (!EXTERNAL_FIELDS.includes(k)) throw new ConfigError(`${at}: unknown field "${k}" (expected ${EXTERNAL_FIELDS.join(', ')})`);
    const kind = x.kind;
    if (!oneOf(EXTERNAL_KINDS, kind)) throw new ConfigError(`${at}: unknown kind ${JSON.stringify(kind)} (expected ${EXTERNAL_KINDS.join(', ')})`);
    if (typeof x.name !== 'string' || !NAME.test(x.name)) throw new ConfigError(`${at}: name must be a Kubernetes object name, got ${JSON.stringify(x.name)}`);
    if (x.namespace !== undefined && (typeof x.namespace !== 'string' || !NAME.test(x.namespace))) throw new ConfigError(`${at}: namespace must be a Kubernetes namespace name, got ${JSON.stringify(x.namespace)}`);
    if (kind === 'PersistentVolume' && x.namespace !== undefined) throw new ConfigError(`${at}: a PersistentVolume has no namespace`);
    const keyed = KEYED_KINDS.includes(kind);
    if (keyed && x.keys === undefined) throw new ConfigError(`${at}: ${kind} "${x.name}" needs "keys" (the keys it holds, so references to other keys are caught)`);
    if (!keyed && x.keys !== undefined) throw new ConfigError(`${at}: a ${kind} has no keys`);
    if (keyed && (!Array.isArray(x.keys) || x.keys.some((k) => typeof k !== 'string' || k === ''))) throw new ConfigError(`${at}: keys must be a list of non-empty strings`);
    const id = `${kind}/${x.namespace ?? '*'}/${x.name}`;
    if (seen.has(id)) throw new ConfigError(`${at}: ${kind} "${x.name}" is declared twice`);
    seen.add(id);
    return {
      kind,
      name: x.name,
      ...(typeof x.namespace === 'string' ? { namespace: x.namespace } : {}),
      ...(keyed ? { keys: strings(x.keys) } : {}),
      source,
    };
  });
}
