/**
 * Finds the server binaries the local run and the tests start. A missing binary is one
 * actionable line (what to install), never a stack trace.
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export class MissingBinaryError extends Error {
  readonly code = 'BERNSTEIN_BINARY_MISSING';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export function redisServerBinary(): string {
  const found = process.env.REDIS_SERVER_BIN ?? onPath('redis-server');
  if (found) return found;
  throw new MissingBinaryError(
    'redis-server was not found on PATH. Install Redis 7 (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), or set REDIS_HOST to use a running Redis.',
  );
}

/** Directory holding initdb and postgres: $PG_BIN, then the newest /usr/lib/postgresql/N/bin, then PATH. */
export function postgresBinDir(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  for (const base of ['/usr/lib/postgresql', '/usr/local/pgsql']) {
    try {
      const versions = readdirSync(base)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a));
      candidates.push(...versions.map((v) => join(base, v, 'bin')), join(base, 'bin'));
    } catch {
      // not there
    }
  }
  const initdb = onPath('initdb');
  if (initdb) candidates.push(join(initdb, '..'));
  for (const dir of candidates) {
    if (isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres'))) return dir;
  }
  throw new MissingBinaryError(
    'PostgreSQL server binaries (initdb, postgres) were not found. Install PostgreSQL 15 or newer (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql), set PG_BIN to their directory, or set POSTGRES_HOST to use a running PostgreSQL.',
  );
}
