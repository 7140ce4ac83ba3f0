/**
 * TLS to real Redis and PostgreSQL servers, with a CA made at test time: the connection is
 * encrypted and verified, and a certificate from another CA is refused with a sentence that
 * names the variable to fix.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { makeOtherCa, makeTlsFiles, PostgresServer, RedisServer, type TlsFiles } from '@bernstein/local';
import { createRedis, Database, loadConfig, pingRedis, postgresVars, redisVars, type Redis } from '@bernstein/common';

const silent = pino({ level: 'silent' });

function capture(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (l: string) => void messages.push((JSON.parse(l) as { msg: string }).msg) });
  return { logger, messages };
}

/** `env` less the variables `names`. */
function omit(env: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

async function waitUntil(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TLS', () => {
  let dir: string;
  let files: TlsFiles;
  let otherCa: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bernstein-tls-test-'));
    files = makeTlsFiles(join(dir, 'ca'));
    otherCa = makeOtherCa(join(dir, 'other'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('to Redis', () => {
    let server: RedisServer;
    let mutual: RedisServer;
    const clients: Redis[] = [];
    before(async () => {
      [server, mutual] = await Promise.all([
        RedisServer.start({ tls: files, acl: true, persistence: false }),
        RedisServer.start({ tls: { ...files, clientCerts: true }, acl: true, persistence: false }),
      ]);
    });
    after(async () => {
      for (const c of clients) c.disconnect();
      await Promise.all([server?.stop(), mutual?.stop()]);
    });

    function connect(env: Record<string, string>, logger = silent): Redis {
      const redis = createRedis(loadConfig(redisVars, env), logger, { name: 'tls-test', failFast: true });
      clients.push(redis);
      return redis;
    }

    it('connects over TLS as an ACL user, verifying the server against REDIS_TLS_CA', async () => {
      const redis = connect(server.envFor('worker'));
      await waitUntil(() => redis.status === 'ready', 'ready');
      await pingRedis(redis);
      // The port speaks TLS only: a plain client gets no answer.
      const { logger, messages } = capture();
      const cleartext = connect(omit(server.envFor('worker'), 'REDIS_TLS'), logger);
      await waitUntil(() => messages.length > 0, 'a warning');
      assert.notEqual(cleartext.status, 'ready');
    });

    it('refuses a server whose certificate another CA signed, saying which variable to fix', async () => {
      const { logger, messages } = capture();
      const redis = connect({ ...server.envFor('worker'), REDIS_TLS_CA: otherCa }, logger);
      await waitUntil(() => messages.length > 0, 'a warning');
      assert.equal(redis.status === 'ready', false);
      assert.match(messages[0] ?? '', /^Redis TLS certificate not trusted: it is not signed by the CA in REDIS_TLS_CA \(self[- ]signed certificate in certificate chain\); reconnecting$/);
    });

    it('presents the client certificate to a server that requires one, and fails without it', async () => {
      const withCert = connect(mutual.envFor('worker'));
      await waitUntil(() => withCert.status === 'ready', 'ready');
      await pingRedis(withCert);
      const { logger, messages } = capture();
      const without = connect(omit(mutual.envFor('worker'), 'REDIS_TLS_CERT', 'REDIS_TLS_KEY'), logger);
      await waitUntil(() => messages.length > 0, 'a warning');
      assert.notEqual(without.status, 'ready');
    });

    it('refuses half a client certificate at start', () => {
      assert.throws(() => connect(omit(mutual.envFor('worker'), 'REDIS_TLS_KEY')), /REDIS_TLS_CERT and REDIS_TLS_KEY go together: set both or neither/);
    });
  });

  describe('to PostgreSQL', () => {
    let server: PostgresServer;
    before(async () => {
      server = await PostgresServer.start({ tls: files, roles: true, durable: false });
    });
    after(async () => server?.stop());

    it('connects with verify-full as the service role, encrypted', async () => {
      const env = server.envFor('result');
      assert.equal(env.POSTGRES_SSLMODE, 'verify-full');
      const db = new Database(loadConfig(postgresVars, env), silent, 'tls-test');
      try {
        const { rows } = await db.query<{ ssl: boolean; user: string }>('SELECT ssl, current_user AS user FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        assert.deepEqual(rows, [{ ssl: true, user: 'result' }]);
      } finally {
        await db.close();
      }
    });

    it('refuses a server whose certificate another CA signed, saying which variable to fix', async () => {
      const db = new Database(loadConfig(postgresVars, { ...server.envFor('result'), POSTGRES_SSL_CA: otherCa }), silent, 'tls-test');
      try {
        await assert.rejects(db.ping(), (err: Error) => {
          assert.match(err.message, /^PostgreSQL TLS certificate not trusted: it is not signed by the CA in POSTGRES_SSL_CA \(unable to verify the first certificate\)$/);
          return true;
        });
      } finally {
        await db.close();
      }
    });

    it('verify-full accepts the server by a name its certificate lists', async () => {
      const byName = new Database(loadConfig(postgresVars, { ...server.envFor('result'), POSTGRES_HOST: 'localhost' }), silent, 'tls-test');
      try {
        await byName.ping(3000);
      } finally {
        await byName.close();
      }
    });
  });
});
