/**
 * The passwords of a local run's Redis users and PostgreSQL roles: generated once, kept in the
 * data directory (`credentials.json`, mode 0600) so they survive restarts, like the cookie
 * key. The local run uses the same users and roles as a deployment (docs/security.md); only
 * where the passwords live differs (a file here, Secrets there).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REDIS_ACL_USERS, SERVICE_ROLES, type RedisAclUser, type ServiceRole } from '@bernstein/common';

/** The PostgreSQL logins: the admin (superuser of the private server), the owner, the services. */
export type PostgresLogin = 'admin' | 'owner' | ServiceRole;
export const POSTGRES_LOGINS: readonly PostgresLogin[] = ['admin', 'owner', ...SERVICE_ROLES];

export interface Credentials {
  redis: Record<RedisAclUser, string>;
  postgres: Record<PostgresLogin, string>;
}

export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

function complete<K extends string>(keys: readonly K[], have: Partial<Record<K, unknown>> | undefined): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const k of keys) {
    const v = have?.[k];
    out[k] = typeof v === 'string' && v.length >= 16 ? v : newPassword();
  }
  return out;
}

/** Reads `<dir>/credentials.json`, adding a password for any user or role it lacks; writes it back (0600). */
export function loadOrCreateCredentials(dir: string): Credentials {
  const file = join(dir, 'credentials.json');
  let stored: Partial<{ redis: Partial<Record<RedisAclUser, unknown>>; postgres: Partial<Record<PostgresLogin, unknown>> }> = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
    } catch (err) {
      throw new Error(`${file} is not valid JSON; delete it to generate new passwords (${(err as Error).message})`, { cause: err });
    }
  }
  const credentials: Credentials = { redis: complete(REDIS_ACL_USERS, stored.redis), postgres: complete(POSTGRES_LOGINS, stored.postgres) };
  const text = `${JSON.stringify(credentials, null, 2)}\n`;
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
  return credentials;
}
