/**
 * A private redis-server on 127.0.0.1: its own port and directory, append-only file on with
 * `appendfsync always` (what Bernstein ships; see README "Durability" and docs/adr/0004). Used by the local
 * run and by tests, which kill and restart it.
 *
 * With `acl`, it runs with the ACL users a deployment has (the default user off; see
 * packages/common/src/redis-acl.ts), their passwords kept in its directory; with `tls`, it
 * listens for TLS only.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { redisConnectOptions, renderRedisAcl, type RedisAclUser } from '@bernstein/common';
import { redisServerBinary } from './binaries.js';
import { loadOrCreateCredentials } from './credentials.js';
import type { TlsFiles } from './tls-files.js';
import { freePort, GiveUp, waitFor } from './ports.js';
import { ManagedProcess } from './process.js';

export interface RedisServerOptions {
  /** Data directory (kept between runs); a fresh temporary one when omitted. */
  dir?: string;
  port?: number;
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Turn persistence off entirely (benchmarks of the ceiling only). */
  persistence?: boolean;
  /** Own process group, so a terminal's Ctrl-C reaches only the runner, which stops servers in order. */
  detached?: boolean;
  /**
   * ACL users on, default user off: `true` keeps generated passwords in the server's directory
   * (credentials.json); or the passwords to use. `env` is then the admin's.
   */
  acl?: true | Record<RedisAclUser, string>;
  /** The vote stream the ACL rules name (VOTES_STREAM). */
  stream?: string;
  /** TLS only (no plain port), with these certificates; `clientCerts` requires client certificates. */
  tls?: TlsFiles & { clientCerts?: boolean };
}

export class RedisServer {
  private proc: ManagedProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {
    const acl = options.acl;
    this.passwords = acl === undefined ? undefined : acl === true ? loadOrCreateCredentials(dir).redis : acl;
  }

  /** ACL passwords by user, when ACLs are on. */
  readonly passwords: Record<RedisAclUser, string> | undefined;

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'bernstein-redis-'));
    mkdirSync(dir, { recursive: true });
    const server = new RedisServer(dir, options.port ?? (await freePort()), options);
    await server.restart();
    return server;
  }

  readonly host = '127.0.0.1';

  /** Environment variables that point a service at this server: as the admin when ACLs are on. */
  get env(): Record<string, string> {
    return this.envFor('admin');
  }

  /** Environment variables of one ACL user (REDIS_USERNAME, REDIS_PASSWORD), with TLS when on. */
  envFor(user: RedisAclUser): Record<string, string> {
    const tls = this.options.tls;
    return {
      REDIS_HOST: this.host,
      REDIS_PORT: String(this.port),
      ...(this.passwords ? { REDIS_USERNAME: user, REDIS_PASSWORD: this.passwords[user] } : {}),
      ...(tls ? { REDIS_TLS: 'true', REDIS_TLS_CA: tls.ca } : {}),
      ...(tls?.clientCerts ? { REDIS_TLS_CERT: tls.clientCert, REDIS_TLS_KEY: tls.clientKey } : {}),
    };
  }

  /** ioredis options of one user (admin by default): `new Redis(server.clientOptions())`. */
  clientOptions(user: RedisAclUser = 'admin'): RedisOptions {
    const e = this.envFor(user);
    return redisConnectOptions({
      redisHost: this.host,
      redisPort: this.port,
      redisUsername: e.REDIS_USERNAME,
      redisPassword: e.REDIS_PASSWORD,
      redisTls: this.options.tls !== undefined,
      redisTlsCa: e.REDIS_TLS_CA,
      redisTlsCert: e.REDIS_TLS_CERT,
      redisTlsKey: e.REDIS_TLS_KEY,
    });
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts (again) on the same port and directory, and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.proc?.running) throw new Error('redis-server is already running');
    const persistence = this.options.persistence ?? true;
    const tls = this.options.tls;
    const args = [
      ...(tls
        ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', tls.serverCert, '--tls-key-file', tls.serverKey,
            '--tls-ca-cert-file', tls.ca, '--tls-auth-clients', tls.clientCerts ? 'yes' : 'no']
        : ['--port', String(this.port)]),
      '--bind', this.host,
      '--dir', this.dir,
      '--save', '',
      '--appendonly', persistence ? 'yes' : 'no',
      '--appendfsync', this.options.appendfsync ?? 'always',
      '--daemonize', 'no',
      '--protected-mode', 'yes',
    ];
    if (this.passwords) {
      // Rewritten at every start: the file holds hashes only, and follows the passwords given.
      const file = join(this.dir, 'users.acl');
      writeFileSync(file, renderRedisAcl(this.passwords, this.options.stream), { mode: 0o600 });
      args.push('--aclfile', file);
    }
    this.proc = new ManagedProcess('redis', redisServerBinary(), args, {
      logFile: join(this.dir, 'redis.log'),
      detached: this.options.detached ?? false,
    });
    const proc = this.proc;
    await waitFor(`redis-server on port ${this.port}`, async () => {
      if (!proc.running) throw new GiveUp(`redis-server exited; see ${join(this.dir, 'redis.log')}`);
      const probe = new Redis({ ...this.clientOptions(), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        // While loading the AOF, Redis answers LOADING; wait until it really serves.
        await probe.ping();
        // Ours, not another server that already held the port (ours then exits).
        const pid = /process_id:(\d+)/.exec(await probe.info('server'))?.[1];
        if (Number(pid) !== proc.pid) throw new Error(`another process (pid ${pid}) answers on port ${this.port}`);
      } finally {
        probe.disconnect();
      }
    }).catch(async (err: unknown) => {
      await proc.kill();
      throw err;
    });
  }

  /** Clean stop (SIGTERM: Redis flushes its AOF and exits). */
  async stop(): Promise<void> {
    await this.proc?.stop('SIGTERM');
  }

  /** Crash: SIGKILL, no chance to flush anything. */
  async kill(): Promise<void> {
    await this.proc?.kill();
  }
}
