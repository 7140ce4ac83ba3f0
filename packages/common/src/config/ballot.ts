/**
 * poll's ballot-integrity variables: the voter cookie keys, which proxies may name the client,
 * and the vote limits every poll replica enforces together (their state is in Redis).
 * See docs/security.md for what they defend against and what they do not.
 */
import { env, type Spec } from './schema.js';
import { parseCookieSecrets } from './cookie-keys.js';
import { parseTrustedProxies } from './trusted-proxies.js';

/** Parses a whole number from 1 to `max`. */
function wholeNumberUpTo(max: number): (raw: string) => number {
  return (raw) => {
    const n = env.parsers.positiveInt(raw);
    if (n > max) throw new Error(`expected a whole number from 1 to ${max}`);
    return n;
  };
}

/** A limit's burst cannot exceed what the whole Redis key's lifetime could hold; 1 … 100,000. */
const burst = wholeNumberUpTo(100_000);

/** A rate per minute: 1 … 60,000,000 (one a microsecond, the script's clock resolution). */
const perMinute = wholeNumberUpTo(60_000_000);

export const ballotVars = {
  cookieSecrets: env.optional('COOKIE_SECRETS', {
    description:
      'keys that sign voter cookies, comma-separated: the first signs, all verify (rotate by prepending a new key); every poll replica needs them; ' +
      'each 32+ characters, and in production at least 128 bits of entropy and not a published placeholder',
    secret: true,
    parse: parseCookieSecrets,
  }),
  trustedProxies: env.optional('TRUSTED_PROXIES', {
    description:
      'proxies whose X-Forwarded-For/-Proto are believed: IPs, CIDRs, loopback, private, and/or a hop count (unset: none, the client is the socket peer)',
    parse: parseTrustedProxies,
  }),
  newVotersPerMinute: env.withDefault('NEW_VOTERS_PER_MINUTE', '300', {
    description: 'new voters (votes without a voter cookie) one client address may create per minute, across all poll replicas; beyond it 429',
    parse: perMinute,
  }),
  newVotersBurst: env.withDefault('NEW_VOTERS_BURST', '60', {
    description: 'new voters one client address may create at once before NEW_VOTERS_PER_MINUTE paces it',
    parse: burst,
  }),
  voteChangesPerMinute: env.withDefault('VOTE_CHANGES_PER_MINUTE', '10', {
    description: 'votes one voter (cookie) may cast per minute after its first, across all poll replicas; beyond it 429',
    parse: perMinute,
  }),
  voteChangesBurst: env.withDefault('VOTE_CHANGES_BURST', '3', {
    description: 'votes one voter may cast at once before VOTE_CHANGES_PER_MINUTE paces it',
    parse: burst,
  }),
} satisfies Spec;
