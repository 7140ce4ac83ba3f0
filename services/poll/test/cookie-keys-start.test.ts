/**
 * Outside the local run (NODE_ENV=production, as the images set) poll refuses to start with a
 * voter cookie key anyone could sign with: none, a published placeholder, or a weak one.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { configRefusal } from '@bernstein/common/testing';
import { freePort, waitFor } from '@bernstein/local';
import { startPollProcess } from './helpers.js';

/** poll as the images start it: in production, on 127.0.0.1. */
const startServer = (env: Record<string, string>) => startPollProcess({ NODE_ENV: 'production', HOST: '127.0.0.1', ...env });

describe('poll start-up in production: the voter cookie key', () => {
  const weak: { name: string; env: Record<string, string>; variable: string; problem: RegExp }[] = [
    { name: 'no key', env: {}, variable: 'COOKIE_SECRETS', problem: /is required in production/ },
    { name: 'the compose placeholder', env: { COOKIE_SECRET: 'replace-me-with-at-least-32-random-characters' }, variable: 'COOKIE_SECRET', problem: /placeholder or a key published/ },
    { name: 'the committed development key', env: { COOKIE_SECRET: 'development-only-cookie-secret-32-chars' }, variable: 'COOKIE_SECRET', problem: /placeholder or a key published/ },
    { name: '32 × a', env: { COOKIE_SECRETS: 'a'.repeat(32) }, variable: 'COOKIE_SECRETS', problem: /about 0 bits of entropy, under 128/ },
  ];
  for (const t of weak) {
    it(`refuses ${t.name}: exit 78, one fatal line naming ${t.variable}, the key not echoed`, async () => {
      const server = startServer({ REDIS_HOST: '127.0.0.1', ...t.env });
      const msg = await configRefusal(server);
      assert.match(msg, new RegExp(`\\n  ${t.variable} key|\\n  ${t.variable} is`));
      assert.match(msg, t.problem);
      for (const value of Object.values(t.env)) assert.doesNotMatch(server.stderr, new RegExp(value), 'the key is never logged');
    });
  }

  it('starts with a strong key', async () => {
    const server = startServer({
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(await freePort()),
      PORT: String(await freePort()),
      OPS_PORT: String(await freePort()),
      COOKIE_SECRETS: `${randomBytes(32).toString('base64url')},${randomBytes(32).toString('hex')}`,
    });
    try {
      await waitFor('poll service ready', async () => assert.match(server.stdout, /poll service ready/));
    } finally {
      server.kill('SIGTERM');
      await server.exited;
    }
  });
});
