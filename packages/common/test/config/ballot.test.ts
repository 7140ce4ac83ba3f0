import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { BernsteinError, cookieKeysOf, estimateKeyBits, loadConfig, parseTrustedProxies, pollServiceSpec, type ConfigProblem } from '@bernstein/common';

const base = { REDIS_HOST: 'redis' };

function problemsOf(fn: () => unknown): ConfigProblem[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BernsteinError);
    return (err.details?.problems ?? []) as ConfigProblem[];
  }
  assert.fail('expected a configuration error');
}

const strong = () => randomBytes(32).toString('base64url');

describe('COOKIE_SECRETS', () => {
  it('parses a comma-separated list: the first signs, all verify', () => {
    const [a, b] = [strong(), strong()];
    const config = loadConfig(pollServiceSpec, { ...base, COOKIE_SECRETS: `${b}, ${a}` });
    assert.deepEqual(config.cookieSecrets, [b, a]);
    assert.deepEqual(cookieKeysOf(config, true), { keys: [b, a], variable: 'COOKIE_SECRETS' });
  });

  it('takes COOKIE_SECRET alone as a one-element list', () => {
    const a = strong();
    assert.deepEqual(cookieKeysOf(loadConfig(pollServiceSpec, { ...base, COOKIE_SECRET: a }), true), { keys: [a], variable: 'COOKIE_SECRET' });
  });

  it('refuses an empty or short key and a key listed twice, without echoing them', () => {
    const a = strong();
    for (const [raw, message] of [
      [`${a},`, 'is invalid: expected comma-separated keys; key 2 is empty; got (secret value hidden)'],
      [`${a},short-key`, 'is invalid: expected keys of at least 32 characters; key 2 has 9; got (secret value hidden)'],
      [`${a},${a}`, 'is invalid: expected distinct keys; a key is listed twice; got (secret value hidden)'],
    ] as const) {
      const problems = problemsOf(() => loadConfig(pollServiceSpec, { ...base, COOKIE_SECRETS: raw }));
      assert.deepEqual(problems, [{ variable: 'COOKIE_SECRETS', problem: message }]);
    }
  });

  it('refuses COOKIE_SECRET that is none of COOKIE_SECRETS (which would sign?)', () => {
    const config = loadConfig(pollServiceSpec, { ...base, COOKIE_SECRETS: strong(), COOKIE_SECRET: strong() });
    assert.deepEqual(problemsOf(() => cookieKeysOf(config, false)).map((p) => p.variable), ['COOKIE_SECRET']);
  });

  describe('in production (strict)', () => {
    const cases: { name: string; env: Record<string, string>; problem: ConfigProblem }[] = [
      {
        name: 'no key at all',
        env: {},
        problem: {
          variable: 'COOKIE_SECRETS',
          problem: 'is required in production (NODE_ENV=production): the key that signs voter cookies, shared by every poll replica (COOKIE_SECRET is accepted too)',
        },
      },
      {
        name: 'the compose placeholder',
        env: { COOKIE_SECRET: 'replace-me-with-at-least-32-random-characters' },
        problem: { variable: 'COOKIE_SECRET', problem: 'key 1 is a placeholder or a key published in the Bernstein repository' },
      },
      {
        name: 'the development key of the Kubernetes base',
        env: { COOKIE_SECRETS: `${strong()},development-only-cookie-secret-32-chars` },
        problem: { variable: 'COOKIE_SECRETS', problem: 'key 2 is a placeholder or a key published in the Bernstein repository' },
      },
      {
        name: '32 × a',
        env: { COOKIE_SECRETS: 'a'.repeat(32) },
        problem: {
          variable: 'COOKIE_SECRETS',
          problem: 'key 1 has about 0 bits of entropy, under 128; use e.g. `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"`',
        },
      },
    ];
    for (const t of cases) {
      it(`refuses ${t.name}, naming the variable`, () => {
        const config = loadConfig(pollServiceSpec, { ...base, ...t.env });
        assert.deepEqual(problemsOf(() => cookieKeysOf(config, true)), [t.problem]);
        assert.doesNotThrow(() => cookieKeysOf(config, false), 'the local run allows it');
      });
    }
  });
});

describe('estimateKeyBits', () => {
  it('gives random keys their length in bits and repetitive keys little', () => {
    assert.ok(estimateKeyBits(randomBytes(32).toString('base64url')) >= 200);
    assert.ok(estimateKeyBits(randomBytes(32).toString('hex')) >= 200);
    assert.equal(estimateKeyBits('a'.repeat(64)), 0);
    assert.ok(estimateKeyBits('password'.repeat(4)) < 100);
    assert.ok(estimateKeyBits('abababababababababababababababab') < 40, 'two characters: about one bit each');
  });
});

describe('TRUSTED_PROXIES', () => {
  it('is unset by default: nobody is trusted', () => {
    assert.equal(loadConfig(pollServiceSpec, base).trustedProxies, undefined);
  });

  it('trusts addresses and ranges (IPv4, IPv6, IPv4-mapped, named)', () => {
    const t = parseTrustedProxies('10.0.0.0/8, 192.0.2.7, loopback, fd00::/8');
    assert.equal(t.description, '10.0.0.0/8, 192.0.2.7, 127.0.0.0/8, ::1/128, fd00::/8');
    for (const addr of ['10.42.1.5', '192.0.2.7', '127.0.0.1', '::1', '::ffff:10.1.2.3', 'fd00::1']) assert.equal(t.trust(addr, 0), true, addr);
    for (const addr of ['192.0.2.8', '8.8.8.8', '2001:db8::1', 'not-an-ip']) assert.equal(t.trust(addr, 0), false, addr);
  });

  it('limits trusted ranges to a hop count, and a hop count alone trusts any peer that many hops', () => {
    const both = parseTrustedProxies('private,1');
    assert.equal(both.trust('10.0.0.1', 0), true);
    assert.equal(both.trust('10.0.0.2', 1), false, 'only one hop');
    const hops = parseTrustedProxies('2');
    assert.deepEqual([hops.trust('203.0.113.9', 0), hops.trust('203.0.113.9', 1), hops.trust('203.0.113.9', 2)], [true, true, false]);
    assert.equal(hops.ranges, undefined);
  });

  it('names what is wrong', () => {
    for (const [raw, message] of [
      ['10.0.0.0/33', 'is invalid: expected a prefix length from 0 to 32 in "10.0.0.0/33"; got "10.0.0.0/33"'],
      ['traefik', 'is invalid: expected IP addresses, CIDR ranges (10.0.0.0/8), loopback, private or a hop count; got "traefik"'],
      ['1,2', 'is invalid: expected at most one hop count; got "1,2"'],
      ['0', 'is invalid: expected a hop count from 1 to 10, got 0; got "0"'],
    ] as const) {
      assert.deepEqual(problemsOf(() => loadConfig(pollServiceSpec, { ...base, TRUSTED_PROXIES: raw })), [{ variable: 'TRUSTED_PROXIES', problem: message }]);
    }
  });
});

describe('vote limits', () => {
  it('defaults to 300 new voters a minute per address (bursts of 60) and 10 votes a minute per voter (bursts of 3)', () => {
    const c = loadConfig(pollServiceSpec, base);
    assert.deepEqual([c.newVotersPerMinute, c.newVotersBurst, c.voteChangesPerMinute, c.voteChangesBurst], [300, 60, 10, 3]);
  });

  it('refuses zero, fractions and absurd values', () => {
    const problems = problemsOf(() =>
      loadConfig(pollServiceSpec, { ...base, NEW_VOTERS_PER_MINUTE: '0', NEW_VOTERS_BURST: '1.5', VOTE_CHANGES_PER_MINUTE: '99999999999', VOTE_CHANGES_BURST: '200000' }),
    );
    assert.deepEqual(problems, [
      { variable: 'NEW_VOTERS_PER_MINUTE', problem: 'is invalid: expected a whole number of at least 1; got "0"' },
      { variable: 'NEW_VOTERS_BURST', problem: 'is invalid: expected a whole number of at least 1; got "1.5"' },
      { variable: 'VOTE_CHANGES_PER_MINUTE', problem: 'is invalid: expected a whole number from 1 to 60000000; got "99999999999"' },
      { variable: 'VOTE_CHANGES_BURST', problem: 'is invalid: expected a whole number from 1 to 100000; got "200000"' },
    ]);
  });
});
