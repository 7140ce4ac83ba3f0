/**
 * The keys that sign poll's voter cookies: COOKIE_SECRETS, a comma-separated list whose first
 * key signs and every key verifies, so a rotation (`B,A` after `A`) keeps every voter's
 * identity and replicas mid-rollout (`A` and `B,A`) accept each other's cookies. COOKIE_SECRET,
 * the older single key, still works as a one-element list.
 *
 * A forged voter cookie is a free extra vote, so outside the local run (NODE_ENV=production,
 * which the container images set) poll refuses to start without a key, with a key anyone can
 * read in this repository (the compose placeholder, the development Secret, test keys), or
 * with a key of under 128 bits of estimated entropy.
 */
import { BernsteinError, ErrorCode } from '../errors.js';
import type { ConfigProblem } from './schema.js';

export const MIN_KEY_CHARACTERS = 32;
export const MIN_KEY_BITS = 128;

/**
 * Keys published in this repository (deploy/compose.env.example, the Kubernetes base Secret,
 * the checker's fixtures, tests and benchmarks): whoever reads the repository can sign with them.
 */
const PUBLISHED_KEYS = new Set([
  'replace-me-with-at-least-32-random-characters',
  'development-only-cookie-secret-32-chars',
  'a-long-random-value-of-at-least-32-characters',
  'test-secret-that-is-at-least-32-characters-long',
  'bench-cookie-secret-0123456789abcdefghij',
]);
const PLACEHOLDER = /replace[-_ ]?me|change[-_ ]?me|changeit|placeholder|example|development-only/i;

/** Parses a COOKIE_SECRETS list (each key at least 32 characters, none empty, no duplicates). */
export function parseCookieSecrets(raw: string): string[] {
  const keys = raw.split(',').map((k) => k.trim());
  keys.forEach((key, i) => {
    if (key === '') throw new Error(`expected comma-separated keys; key ${i + 1} is empty`);
    if (key.length < MIN_KEY_CHARACTERS) throw new Error(`expected keys of at least ${MIN_KEY_CHARACTERS} characters; key ${i + 1} has ${key.length}`);
  });
  if (new Set(keys).size !== keys.length) throw new Error('expected distinct keys; a key is listed twice');
  return keys;
}

/**
 * Estimated entropy of a key in bits: its length times the smaller of (a) log2 of the size of
 * the character classes it uses (lower, upper, digits, other) and (b) the entropy per
 * character of its own character frequencies, with the Miller–Madow correction for short
 * samples. (a) caps keys from a small alphabet (hex: 4 bits a character), (b) catches
 * repetition (32 × `a`: 0 bits; `passwordpassword…`: under 3 bits a character).
 */
export function estimateKeyBits(key: string): number {
  const chars = [...key];
  const n = chars.length;
  if (n === 0) return 0;
  let pool = 0;
  if (/[a-z]/.test(key)) pool += 26;
  if (/[A-Z]/.test(key)) pool += 26;
  if (/[0-9]/.test(key)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(key)) pool += 33;
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let shannon = 0;
  for (const count of counts.values()) {
    const p = count / n;
    shannon -= p * Math.log2(p);
  }
  const corrected = counts.size > 1 ? shannon + (counts.size - 1) / (2 * n * Math.LN2) : 0;
  return n * Math.min(Math.log2(pool), corrected);
}

/** Why `key` must not sign cookies in production, or undefined when it may. */
export function weakKeyReason(key: string): string | undefined {
  if (PUBLISHED_KEYS.has(key) || PLACEHOLDER.test(key)) return 'is a placeholder or a key published in the Bernstein repository';
  const bits = estimateKeyBits(key);
  if (bits < MIN_KEY_BITS) {
    return `has about ${Math.floor(bits)} bits of entropy, under ${MIN_KEY_BITS}; use e.g. \`node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"\``;
  }
  return undefined;
}

export interface CookieKeyConfig {
  readonly cookieSecrets?: readonly string[] | undefined;
  readonly cookieSecret?: string | undefined;
}

export interface CookieKeys {
  /** First signs, all verify; undefined = none configured (local run only). */
  readonly keys: readonly string[] | undefined;
  /** The variable the keys came from, for messages. */
  readonly variable: 'COOKIE_SECRETS' | 'COOKIE_SECRET' | undefined;
}

/** True outside the local run: the container images set NODE_ENV=production. */
export function isProduction(source: NodeJS.ProcessEnv = process.env): boolean {
  return source.NODE_ENV === 'production';
}

/**
 * The voter cookie keys of a loaded poll configuration. In production (`strict`) a missing,
 * published or weak key is a configuration error naming the variable (the process then exits
 * 78 through configOrExit); in the local run it is allowed (poll warns and uses a random key).
 */
export function cookieKeysOf(config: CookieKeyConfig, strict: boolean): CookieKeys {
  const problems: ConfigProblem[] = [];
  const listed = config.cookieSecrets;
  const single = config.cookieSecret;
  let keys: readonly string[] | undefined;
  let variable: CookieKeys['variable'];
  if (listed !== undefined) {
    keys = listed;
    variable = 'COOKIE_SECRETS';
    if (single !== undefined && !listed.includes(single)) {
      problems.push({ variable: 'COOKIE_SECRET', problem: 'is set and differs from every key of COOKIE_SECRETS; set only COOKIE_SECRETS (first key signs, all verify)' });
    }
  } else if (single !== undefined) {
    keys = [single];
    variable = 'COOKIE_SECRET';
  }
  if (strict) {
    if (keys === undefined) {
      problems.push({
        variable: 'COOKIE_SECRETS',
        problem: 'is required in production (NODE_ENV=production): the key that signs voter cookies, shared by every poll replica (COOKIE_SECRET is accepted too)',
      });
    } else {
      keys.forEach((key, i) => {
        const reason = weakKeyReason(key);
        if (reason !== undefined) problems.push({ variable: variable ?? 'COOKIE_SECRETS', problem: `key ${i + 1} ${reason}` });
      });
    }
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.variable} ${p.problem}`).join('\n');
    throw new BernsteinError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n${lines}`, 500, { problems });
  }
  return { keys, variable };
}
