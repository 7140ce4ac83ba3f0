/** Reading compose service definitions. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ServiceName } from '@bernstein/common/config';
import { at, isRecord, list, record, str, text } from './read.js';
import type { ComposeFile } from './model.js';
import { SERVICE_NAMES } from './services.js';
import { parseImage } from './image.js';

/** A compose service definition as written. */
export type ComposeService = Readonly<Record<string, unknown>>;

export function composeServices(c: ComposeFile): [string, ComposeService][] {
  return Object.entries(record(at(c.data, 'services'))).flatMap(([name, s]) => (isRecord(s) ? [[name, s] satisfies [string, ComposeService]] : []));
}

/** Which of our services a compose service runs: by image, build context or service name. */
export function composeServiceOf(name: string, s: ComposeService): ServiceName | undefined {
  const image = typeof s.image === 'string' ? parseImage(s.image).name.split('/').pop() ?? '' : '';
  const build = str(s.build) ?? `${text(at(s.build, 'context') ?? '')} ${text(at(s.build, 'dockerfile') ?? '')}`;
  const command = Array.isArray(s.command) ? s.command.map(String).join(' ') : text(s.command ?? '');
  const found = SERVICE_NAMES.find((x) => image.includes(x)) ?? SERVICE_NAMES.find((x) => build.includes(x)) ?? SERVICE_NAMES.find((x) => name.includes(x));
  if (found === 'worker' && /migrate/.test(command)) return 'migrate';
  // The worker image's Redis ACL renderer (`node dist/redis-acl.js`) is a one-shot tool that
  // reads only REDIS_ACL_<USER>_PASSWORD: no service configuration to check.
  if (found === 'worker' && /(^|[\s/])redis-acl\.js\b/.test(command)) return undefined;
  return found;
}

function readEnvFile(compose: ComposeFile, path: string): string[] {
  try {
    return readFileSync(resolve(dirname(compose.absPath), path), 'utf8')
      .split('\n')
      .map((l) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined);
  } catch {
    return [];
  }
}

/** Variables a compose service sets (environment: map or list, env_file). */
export function composeEnv(compose: ComposeFile, s: ComposeService): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(s.environment)) for (const e of s.environment) out.add(String(e).split('=')[0] ?? '');
  else if (isRecord(s.environment)) for (const k of Object.keys(s.environment)) out.add(k);
  const files = Array.isArray(s.env_file) ? list(s.env_file) : s.env_file !== undefined ? [s.env_file] : [];
  for (const f of files) {
    const p = typeof f === 'string' ? f : isRecord(f) ? f.path : undefined;
    if (typeof p === 'string') for (const k of readEnvFile(compose, p)) out.add(k);
  }
  return out;
}
