/**
 * Outside the local run (NODE_ENV=production, as the images set) poll refuses to start with a
 * voter cookie key anyone could sign with: none, a published placeholder, or a weak one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@bernstein/local';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

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
      const [code] = await server.exited;
      assert.equal(code, 78);
      const { stdout, stderr } = server.output();
      assert.equal(stdout, '');
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, stderr);
      const line = JSON.parse(lines[0] as string) as { level: number; msg: string; code: string };
      assert.equal(line.level, 60);
      assert.equal(line.code, 'BERNSTEIN_CONFIG_INVALID');
      assert.match(line.msg, new RegExp(`\\n  ${t.variable} key|\\n  ${t.variable} is`));
      assert.match(line.msg, t.problem);
      for (const value of Object.values(t.env)) assert.doesNotMatch(stderr, new RegExp(value), 'the key is never logged');
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
      await waitFor('poll service ready', async () => assert.match(server.output().stdout, /poll service ready/));
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
