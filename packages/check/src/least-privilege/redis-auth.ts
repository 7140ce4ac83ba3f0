/**
 * Whether a Redis server asks its clients to authenticate, from its command line, its redis.conf
 * (when the input holds it) or, for Bitnami's image, its environment.
 *
 * Redis lets any client in as the `default` user unless that user has a password (`requirepass`,
 * or an ACL rule `user default … >password` / `off`); other ACL users do not change that
 * (https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/#the-default-user).
 * Protected mode, which refuses non-loopback clients of a password-less server, is compiled off in
 * the official Docker image (https://github.com/docker-library/redis: "disable Redis protected
 * mode as it is unnecessary in context of Docker"), and `protected-mode no` turns it off
 * elsewhere (https://redis.io/docs/latest/develop/reference/errors/common/denied/): either way
 * every pod or container that reaches port 6379 may XADD, FLUSHALL or CONFIG SET.
 * Bitnami's image sets requirepass from REDIS_PASSWORD (or REDIS_PASSWORD_FILE) and runs without
 * one only with ALLOW_EMPTY_PASSWORD=yes (https://github.com/bitnami/containers/tree/main/bitnami/redis).
 */
import { parseImage } from '../image.js';

/** Redis and its drop-in forks, by the last segment of the image name (exporters and UIs excluded). */
export function isRedisImage(image: string): boolean {
  const last = parseImage(image).name.split('/').pop() ?? '';
  return /^(redis|redis-stack|redis-stack-server|valkey)$/.test(last);
}

export function isBitnamiImage(image: string): boolean {
  return /(^|\/)bitnami[^/]*\//.test(parseImage(image).name);
}

export type RedisAuth =
  | { readonly kind: 'password'; readonly how: string }
  | { readonly kind: 'acl'; readonly how: string }
  | { readonly kind: 'none'; readonly protectedModeOff: boolean }
  /** The configuration is not readable from the input (a file from a Secret or the image). */
  | { readonly kind: 'unknown' };

/** Words of a command line, a `sh -c "…"` script split on blanks too. */
export function words(args: readonly string[]): string[] {
  return args.flatMap((a) => (/\s/.test(a) ? a.split(/\s+/).filter((w) => w !== '') : [a]));
}

function unquote(w: string | undefined): string {
  return (w ?? '').replace(/^["']|["']$/g, '');
}

/** A `user default …` rule (config file or --user) that closes the default user. */
function closesDefaultUser(rule: readonly string[]): boolean {
  return rule[0] === 'default' && !rule.includes('nopass') && rule.slice(1).some((w) => w === 'off' || w.startsWith('>') || w.startsWith('#'));
}

export interface ConfigFacts {
  readonly password: boolean;
  readonly acl: boolean;
  readonly protectedModeOff: boolean;
}

/** What a redis.conf says about authentication. */
export function readRedisConf(text: string): ConfigFacts {
  let password = false;
  let acl = false;
  let protectedModeOff = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [directive = '', ...rest] = line.split(/\s+/);
    const d = directive.toLowerCase();
    if (d === 'requirepass' && unquote(rest[0]) !== '') password = true;
    if (d === 'aclfile' && unquote(rest[0]) !== '') acl = true;
    if (d === 'user' && closesDefaultUser(rest)) acl = true;
    if (d === 'protected-mode' && unquote(rest[0]).toLowerCase() === 'no') protectedModeOff = true;
  }
  return { password, acl, protectedModeOff };
}

/** The configuration file a redis-server command line names (its first argument ending in .conf). */
export function configFileOf(args: readonly string[]): string | undefined {
  return words(args).find((w) => !w.startsWith('-') && /\.conf["']?$/.test(w))?.replace(/^["']|["']$/g, '');
}

export interface RedisStart {
  readonly image: string;
  /** Command and arguments as given (empty: the image's default, `redis-server` without options). */
  readonly args: readonly string[];
  /** Environment as name → value (undefined for a value from elsewhere, e.g. a Secret). */
  readonly env: ReadonlyMap<string, string | undefined>;
  /** The text of the configuration file named by `args`; undefined when the input does not hold it. */
  readonly configText: string | undefined;
}

export function redisAuth(r: RedisStart): RedisAuth {
  const w = words(r.args);
  let protectedModeOff = false;
  for (let i = 0; i < w.length; i++) {
    const flag = w[i] ?? '';
    const next = unquote(w[i + 1]);
    if (flag === '--requirepass' && next !== '' && !next.startsWith('--')) return { kind: 'password', how: '--requirepass' };
    if (flag === '--aclfile' && next !== '') return { kind: 'acl', how: '--aclfile' };
    if (flag === '--user') {
      const rule: string[] = [];
      for (let j = i + 1; j < w.length && !(w[j] ?? '').startsWith('--'); j++) rule.push(unquote(w[j]));
      if (closesDefaultUser(rule)) return { kind: 'acl', how: '--user default' };
    }
    if (flag === '--protected-mode' && next.toLowerCase() === 'no') protectedModeOff = true;
  }
  if (isBitnamiImage(r.image)) {
    const given = (name: string) => r.env.has(name) && r.env.get(name) !== '';
    if (given('REDIS_PASSWORD') || given('REDIS_PASSWORD_FILE')) return { kind: 'password', how: 'REDIS_PASSWORD' };
    if ((r.env.get('ALLOW_EMPTY_PASSWORD') ?? '').toLowerCase() === 'yes') return { kind: 'none', protectedModeOff };
    return { kind: 'unknown' }; // Bitnami refuses to start without one of the two
  }
  const file = configFileOf(r.args);
  if (file !== undefined) {
    if (r.configText === undefined) return { kind: 'unknown' };
    const facts = readRedisConf(r.configText);
    if (facts.password) return { kind: 'password', how: `requirepass in ${file}` };
    if (facts.acl) return { kind: 'acl', how: `ACL rules in ${file}` };
    protectedModeOff ||= facts.protectedModeOff;
  }
  return { kind: 'none', protectedModeOff };
}
