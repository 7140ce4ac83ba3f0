import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { configRefusal, EntryProcess } from '@bernstein/common/testing';
import { freePort } from '@bernstein/local';
import { castVote, SseReader, startDatabase, untilReady, voterId, type TestDatabase } from './helpers.js';

const entry = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** Starts the real entry point (`node src/server.ts`, through tsx from NODE_OPTIONS). */
const run = (env: Record<string, string>) => new EntryProcess(entry, env);

describe('result server process', () => {
  it('refuses to start with exit 78 and one fatal line naming each bad variable', async () => {
    const msg = await configRefusal(run({ POSTGRES_HOST: 'db', POSTGRES_DB: 'x', POSTGRES_USER: 'u', PORT: '99999', COALESCE_MS: 'soon' }));
    for (const name of ['POSTGRES_PASSWORD', 'PORT', 'COALESCE_MS']) assert.match(msg, new RegExp(`\\b${name}\\b`), name);
    assert.doesNotMatch(msg, /POSTGRES_HOST/, 'valid variables are not blamed');
  });

  it('refuses an invalid polls definition with exit 78 naming POLLS', async () => {
    const r = run({ POSTGRES_HOST: 'db', POSTGRES_DB: 'x', POSTGRES_USER: 'u', POSTGRES_PASSWORD: 'p', POLLS: '[{"id":"Bad"}]' });
    assert.equal((await r.exited).code, 78);
    assert.match(r.stderr, /POLLS/);
  });

  describe('with PostgreSQL', () => {
    let database: TestDatabase;
    before(async () => {
      database = await startDatabase();
    });
    after(async () => {
      await database?.close();
    });

    it('serves live results, and on SIGTERM ends open streams and exits 0 promptly', async () => {
      const port = await freePort();
      const opsPort = await freePort();
      const r = run({ ...database.server.env, HOST: '127.0.0.1', PORT: String(port), OPS_PORT: String(opsPort), LOG_LEVEL: 'info' });
      const url = `http://127.0.0.1:${port}`;
      const readers: SseReader[] = [];
      try {
        await untilReady(opsPort);
        for (let i = 0; i < 20; i++) readers.push(await SseReader.open(`${url}/api/polls/default/events`));
        await Promise.all(readers.map((reader) => reader.waitFor(() => true)));
        await castVote(database.db, 'default', voterId(1), 'b');
        await Promise.all(readers.map((reader) => reader.waitFor((res) => res.total === 1)));

        r.kill('SIGTERM');
        const { code, signal } = await r.exited;
        assert.equal(signal, null);
        assert.equal(code, 0, r.stdout);
        await Promise.all(readers.map((reader) => reader.waitEnd()));
        assert.ok(readers.every((reader) => reader.retries.length === 2), 'each stream ended with a fresh retry hint');
        assert.match(r.stdout, /closing event streams/);
      } finally {
        readers.forEach((reader) => reader.close());
        r.kill('SIGKILL');
      }
    });
  });
});
