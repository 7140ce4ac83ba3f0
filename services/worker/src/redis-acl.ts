/**
 * `node dist/redis-acl.js [--out <file>]`: writes the Redis ACL file (packages/common/src/redis-acl.ts)
 * from the environment, so a deployment keeps each user's password in one Secret and renders
 * the file Redis loads (`--aclfile`), e.g. in an init container or when making the Secret.
 *
 * REDIS_ACL_<USER>_PASSWORD for each user that should exist (ADMIN, POLL, WORKER, PROBE,
 * SCALER), and REDIS_ACL_<USER>_PREVIOUS_PASSWORD while one is rotated (both accepted);
 * VOTES_STREAM as the services have it. The file holds SHA-256 hashes only; it is written with
 * mode 0600.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REDIS_ACL_USERS, renderRedisAcl, type RedisAclUser } from '@bernstein/common';

export function aclFromEnv(env: NodeJS.ProcessEnv): string {
  const passwords: Partial<Record<RedisAclUser, string[]>> = {};
  for (const user of REDIS_ACL_USERS) {
    const name = `REDIS_ACL_${user.toUpperCase()}`;
    const list = [env[`${name}_PREVIOUS_PASSWORD`], env[`${name}_PASSWORD`]].filter((p): p is string => Boolean(p));
    if (list.length > 0) passwords[user] = list;
  }
  if (Object.keys(passwords).length === 0) throw new Error('no REDIS_ACL_<USER>_PASSWORD is set: the file would let no one in');
  return renderRedisAcl(passwords, env.VOTES_STREAM || 'votes');
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    const { values } = parseArgs({ options: { out: { type: 'string' } } });
    const text = aclFromEnv(process.env);
    if (values.out) writeFileSync(values.out, text, { mode: 0o600 });
    else process.stdout.write(text);
  } catch (err) {
    process.stderr.write(`redis-acl: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
