/**
 * Redis ACL users, least privilege (docs/security.md, "Data layer"). The default user is
 * off, so an unauthenticated connection can run nothing (see DEFAULT_USER for why it keeps
 * its permissions); each client has its own user:
 *
 * - `poll` appends votes: the ballot function (FCALL, and FUNCTION LOAD to install it) and,
 *   through it, XADD to the stream and GET/SET of the rate-limit keys `<stream>:limit:*`; it
 *   keeps the polls defined through its API in `<stream>:poll:*` and `<stream>:polls` (hash
 *   and set commands) and announces their changes on the channel `<stream>:polls`. It cannot
 *   read the stream, delete, flush or touch any other key. Redis 7 checks the commands a
 *   function runs against the caller's ACL, so the function gives poll no extra right.
 * - `worker` reads the stream through its consumer group, acknowledges, claims, trims and
 *   inspects it, creates its group, and appends to `<stream>:dead`; it cannot append to the
 *   stream itself, FLUSHALL or CONFIG.
 * - `probe` may only PING (health checks).
 * - `scaler` may read the group's lag (KEDA's Redis streams scaler), nothing else.
 * - `admin` may do everything: for operators, never given to a service.
 *
 * The file holds SHA-256 hashes of the passwords (`#<hex>`), never the passwords. Selectors
 * (the parenthesised rule groups) need Redis 7.0.
 */
import { createHash } from 'node:crypto';

export const REDIS_ACL_USERS = ['admin', 'poll', 'worker', 'probe', 'scaler'] as const;
export type RedisAclUser = (typeof REDIS_ACL_USERS)[number];

/** Every client's connection set-up: CLIENT SETNAME, and INFO for ioredis's ready check. */
const CONNECTION = '+ping +info +client|setname';

/** The rules of each user after `on` and its password, for the vote stream `stream`. */
export function redisAclRules(stream: string): Record<RedisAclUser, string> {
  if (!/^[\w:.-]{1,100}$/.test(stream)) throw new Error(`stream name ${JSON.stringify(stream)} would be a glob pattern`);
  const dead = `${stream}:dead`;
  const limits = `${stream}:limit:*`;
  // Polls defined through poll's API (issue 12): a hash per poll (and its codes and voters),
  // the set of their ids, and the channel announcing changes, all named after the stream.
  const polls = `~${stream}:poll:* ~${stream}:polls`;
  return {
    admin: 'resetkeys resetchannels ~* &* +@all',
    poll:
      `resetkeys resetchannels -@all ${CONNECTION} +time +fcall +function|load +publish +subscribe +unsubscribe ` +
      `~${stream} ~${limits} ${polls} &${stream}:polls ` +
      `(~${stream} +xadd) (~${limits} +get +set) (${polls} +hget +hmget +hset +hsetnx +hexists +exists +sadd +smembers)`,
    worker:
      `resetkeys resetchannels -@all ${CONNECTION} +multi +exec +discard ` +
      '+xreadgroup +xack +xautoclaim +xclaim +xpending +xtrim +xlen +xinfo|groups +xinfo|stream +xinfo|consumers ' +
      `+xgroup|create +xgroup|createconsumer ~${stream} (~${dead} +xadd)`,
    probe: 'resetkeys resetchannels -@all +ping',
    scaler: `resetkeys resetchannels -@all +ping +info +xinfo|groups +xinfo|stream +xpending +xlen ~${stream}`,
  };
}

/**
 * The default user: off, with no password, so no connection can be it or authenticate as it.
 * It keeps every permission all the same, because Redis replays the append-only file as the
 * default user, and until redis/redis#14545 (fixing #14541; Redis 7.0.15, as Debian ships it,
 * has the bug) EXEC re-checks the ACL while loading: with a default user of `-@all`, every
 * MULTI/EXEC in the file (the ballot function's effects, the worker's dead-letter moves) was
 * refused at start-up and its acknowledged writes silently lost after a crash. The
 * restart-under-ACL test in packages/common/test/redis-acl.test.ts guards this.
 */
export const DEFAULT_USER = 'user default off resetpass ~* &* +@all';

/** SHA-256 of a password as an ACL rule (`#<hex>`). */
export function aclPasswordHash(password: string): string {
  return `#${createHash('sha256').update(password, 'utf8').digest('hex')}`;
}

/**
 * The ACL file (`aclfile` in redis.conf, `--aclfile`): the default user off, then every user
 * that has a password here. A user left out does not exist. A user may have two passwords
 * while one is rotated: both are accepted until the old one is left out.
 */
export function renderRedisAcl(passwords: Partial<Record<RedisAclUser, string | readonly string[]>>, stream = 'votes'): string {
  const rules = redisAclRules(stream);
  const lines = [DEFAULT_USER];
  for (const user of REDIS_ACL_USERS) {
    const given = passwords[user];
    if (given === undefined) continue;
    const list = typeof given === 'string' ? [given] : given;
    if (list.length === 0) continue;
    for (const password of list) {
      if (password.length < 16) throw new Error(`the Redis password of ${user} is shorter than 16 characters`);
    }
    lines.push(`user ${user} on resetpass ${list.map(aclPasswordHash).join(' ')} ${rules[user]}`);
  }
  return `${lines.join('\n')}\n`;
}
