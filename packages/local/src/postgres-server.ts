/**
 * A private PostgreSQL server on 127.0.0.1, from the system's binaries: its own port and data
 * directory, password authentication (scram) like a real deployment. Used by the local run
 * and by tests, which stop, kill and restart it.
 *
 * PostgreSQL refuses to run as root; when we are root (CI, containers) the server runs as the
 * `postgres` system user through setpriv, which execs in place so signals reach the server.
 * A fresh cluster is copied from a cached template made by initdb once per machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresBinDir } from './binaries.js';
import { freePort, waitFor } from './ports.js';
import { ManagedProcess } from './process.js';

export interface PostgresServerOptions {
  /** Working directory (data in `data/`, log, socket); a fresh temporary one when omitted. */
  dir?: string;
  port?: number;
  /** fsync and synchronous commit on (default). Tests may trade crash-safety of the host for speed. */
  durable?: boolean;
  maxConnections?: number;
  /** Own process group, so a terminal's Ctrl-C reaches only the runner, which stops servers in order. */
  detached?: boolean;
}

export const LOCAL_DB = { user: 'bernstein', password: 'bernstein', database: 'bernstein' } as const;

const asRoot = userInfo().uid === 0;
const SERVICE_USER = 'postgres';

/** Runs a PostgreSQL binary as ourselves, or as the postgres user when we are root. */
function command(bin: string, args: string[]): [string, string[]] {
  if (!asRoot) return [bin, args];
  return ['setpriv', ['--reuid', SERVICE_USER, '--regid', SERVICE_USER, '--init-groups', '--', bin, ...args]];
}

function giveToServiceUser(path: string): void {
  if (asRoot) execFileSync('chown', ['-R', `${SERVICE_USER}:${SERVICE_USER}`, path]);
}

/** initdb once per machine and binary directory; later clusters are copies of it. */
async function templateCluster(binDir: string): Promise<string> {
  const version = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).trim().replace(/\W+/g, '-');
  const template = join(tmpdir(), `bernstein-pg-template-${version}-v1`);
  if (existsSync(join(template, 'data', 'PG_VERSION'))) return template;

  const building = mkdtempSync(join(tmpdir(), 'bernstein-pg-template-build-'));
  const pwfile = join(building, 'pwfile');
  writeFileSync(pwfile, LOCAL_DB.password);
  giveToServiceUser(building);
  const [cmd, args] = command(join(binDir, 'initdb'), [
    '-D', join(building, 'data'), '-U', LOCAL_DB.user, `--pwfile=${pwfile}`,
    '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-instructions',
  ]);
  execFileSync(cmd, args, { stdio: 'pipe' });
  rmSync(pwfile);
  // Create the application database once, in the template.
  const server = new PostgresServer(building, await freePort(), { durable: false }, binDir);
  await server.restart();
  const client = new pg.Client({ ...server.connection, database: 'postgres' });
  await client.connect();
  await client.query(`CREATE DATABASE ${LOCAL_DB.database}`);
  await client.end();
  await server.stop();
  rmSync(join(building, 'postgres.log'), { force: true });
  try {
    renameSync(building, template);
  } catch {
    // another process made the template first; use theirs
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

export class PostgresServer {
  private proc: ManagedProcess | undefined;
  readonly host = '127.0.0.1';

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly options: PostgresServerOptions,
    private readonly binDir: string,
  ) {}

  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const binDir = postgresBinDir();
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'bernstein-pg-'));
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'data', 'PG_VERSION'))) {
      const template = await templateCluster(binDir);
      execFileSync('cp', ['-a', join(template, 'data'), join(dir, 'data')]);
    }
    giveToServiceUser(dir);
    const server = new PostgresServer(dir, options.port ?? (await freePort()), options, binDir);
    await server.restart();
    return server;
  }

  get connection() {
    return { host: this.host, port: this.port, user: LOCAL_DB.user, password: LOCAL_DB.password, database: LOCAL_DB.database };
  }

  /** Environment variables that point a service at this server (the course's names). */
  get env(): Record<string, string> {
    return {
      POSTGRES_HOST: this.host,
      POSTGRES_PORT: String(this.port),
      POSTGRES_DB: LOCAL_DB.database,
      POSTGRES_USER: LOCAL_DB.user,
      POSTGRES_PASSWORD: LOCAL_DB.password,
    };
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts (again) on the same port and data, and waits until it accepts connections. */
  async restart(): Promise<void> {
    if (this.proc?.running) throw new Error('postgres is already running');
    const durable = this.options.durable ?? true;
    const settings = [
      `listen_addresses=${this.host}`,
      `port=${this.port}`,
      `unix_socket_directories=${this.dir}`,
      `max_connections=${this.options.maxConnections ?? 200}`,
      `fsync=${durable ? 'on' : 'off'}`,
      `synchronous_commit=${durable ? 'on' : 'off'}`,
      `full_page_writes=${durable ? 'on' : 'off'}`,
    ];
    const logFile = join(this.dir, 'postgres.log');
    await waitFor(
      `postgres on port ${this.port}`,
      async () => {
        if (!this.proc?.running) {
          // After a SIGKILL the old backends may still hold shared memory for a moment:
          // starting again simply fails, and we try once more.
          const [cmd, args] = command(join(this.binDir, 'postgres'), ['-D', join(this.dir, 'data'), ...settings.flatMap((s) => ['-c', s])]);
          this.proc = new ManagedProcess('postgres', cmd, args, { logFile, detached: this.options.detached ?? false });
        }
        const client = new pg.Client({ ...this.connection, database: 'postgres', connectionTimeoutMillis: 1000 });
        client.on('error', () => undefined);
        try {
          await client.connect();
          await client.query('SELECT 1');
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      30_000,
      100,
    ).catch(async (err: unknown) => {
      await this.proc?.kill();
      throw new Error(`${(err as Error).message}; see ${logFile}`, { cause: err });
    });
  }

  /** Fast shutdown (SIGINT): active transactions are rolled back, data is safe. */
  async stop(): Promise<void> {
    await this.proc?.stop('SIGINT', 20_000);
  }

  /** Crash: SIGKILL of the postmaster. The next start runs crash recovery. */
  async kill(): Promise<void> {
    await this.proc?.kill();
  }
}
