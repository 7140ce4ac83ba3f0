/** The optional config file: profiles and per-rule severity overrides. */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { CheckConfig } from './engine.js';
import { SEVERITIES, USER_PROFILES, type Severity, type UserProfile } from './model.js';
import { allRules } from './rules/index.js';

export class ConfigError extends Error {}

export interface FileConfig extends CheckConfig {
  readonly profiles?: readonly UserProfile[];
}

export async function loadConfigFile(path: string): Promise<FileConfig> {
  let raw: unknown;
  try {
    raw = parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  return validateConfig(raw ?? {}, path);
}

export function validateConfig(raw: unknown, source: string): FileConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`config file ${source}: expected a mapping with "profiles" and/or "rules"`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (k !== 'profiles' && k !== 'rules') throw new ConfigError(`config file ${source}: unknown key "${k}" (expected profiles, rules)`);
  let profiles: UserProfile[] | undefined;
  if (r.profiles !== undefined) {
    if (!Array.isArray(r.profiles)) throw new ConfigError(`config file ${source}: profiles must be a list`);
    profiles = r.profiles.map((p) => {
      if (!USER_PROFILES.includes(p as UserProfile)) throw new ConfigError(`config file ${source}: unknown profile "${String(p)}" (expected ${USER_PROFILES.join(', ')})`);
      return p as UserProfile;
    });
  }
  const rules: Record<string, Severity | 'off'> = {};
  if (r.rules !== undefined) {
    if (typeof r.rules !== 'object' || r.rules === null || Array.isArray(r.rules)) throw new ConfigError(`config file ${source}: rules must be a mapping of rule id to severity`);
    const ids = new Set(allRules.map((x) => x.id));
    for (const [id, v] of Object.entries(r.rules)) {
      if (!ids.has(id)) throw new ConfigError(`config file ${source}: unknown rule "${id}"`);
      if (v !== 'off' && !SEVERITIES.includes(v as Severity)) throw new ConfigError(`config file ${source}: rule "${id}": expected off, ${SEVERITIES.join(', ')}; got ${JSON.stringify(v)}`);
      rules[id] = v as Severity | 'off';
    }
  }
  return { ...(profiles ? { profiles } : {}), rules };
}
