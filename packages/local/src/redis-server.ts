/**
 * A private redis-server on 127.0.0.1: its own port and directory, append-only file on with
 * `appendfsync always` (what Bernstein ships; see README "Durability" and docs/adr/0004). Used by the local
 * run and by tests, which kill and restart it.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisServerBinary } from './binaries.js';
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
}

export class RedisServer {
  private proc: ManagedProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'bernstein-redis-'));
    mkdirSync(dir, { recursive: true });
    const server = new RedisServer(dir, options.port ?? (await freePort()), options);
    await server.restart();
    return server;
  }

  readonly host = '127.0.0.1';

  /** Environment variables that point a service at this server. */
  get env(): Record<string, string> {
    return { REDIS_HOST: this.host, REDIS_PORT: String(this.port) };
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts (again) on the same port and directory, and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.proc?.running) throw new Error('redis-server is already running');
    const persistence = this.options.persistence ?? true;
    const args = [
      '--port', String(this.port),
      '--bind', this.host,
      '--dir', this.dir,
      '--save', '',
      '--appendonly', persistence ? 'yes' : 'no',
      '--appendfsync', this.options.appendfsync ?? 'always',
      '--daemonize', 'no',
      '--protected-mode', 'yes',
    ];
    this.proc = new ManagedProcess('redis', redisServerBinary(), args, {
      logFile: join(this.dir, 'redis.log'),
      detached: this.options.detached ?? false,
    });
    const proc = this.proc;
    await waitFor(`redis-server on port ${this.port}`, async () => {
      if (!proc.running) throw new GiveUp(`redis-server exited; see ${join(this.dir, 'redis.log')}`);
      const probe = new Redis({ host: this.host, port: this.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
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
