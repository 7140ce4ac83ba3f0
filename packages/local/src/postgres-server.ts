/**
 * A private PostgreSQL server on 127.0.0.1, from the system's binaries: its own port and data
 * directory, password authentication (scram) like a real deployment. Used by the local run
 * and by tests, which stop, kill and restart it.
 *
 * Its superuser is `postgres` (the admin), with a password generated for this directory; with
 * `roles`, the migrate step has run with the roles a deployment has (owner `bernstein`,
 * `worker`, `result`, `backup`; packages/common/src/roles.ts), and `envFor` gives each one's
 * variables. With `tls`, it also accepts TLS connections, with the given certificate.
 *
 * PostgreSQL refuses to run as root; when we are root (CI, containers) the server runs as the
 * `postgres` system user through setpriv, which execs in place so signals reach the server.
 * A fresh cluster is copied from a cached template made by initdb once per machine.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { scramVerifier, setUpDatabase } from '@bernstein/common';
import { postgresBinDir } from './binaries.js';
import { loadOrCreateCredentials, type PostgresLogin } from './credentials.js';
import type { TlsFiles } from './tls-files.js';
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
  /**
   * Passwords of the admin, the owner and the service roles; default: generated once and kept
   * in the server's directory (credentials.json, 0600).
   */
  passwords?: Record<PostgresLogin, string>;
  /** Run the migrate step with roles at start (owner, worker, result, backup). */
  roles?: boolean;
  /** Accept TLS connections (plain ones too, as PostgreSQL does), with this certificate. */
  tls?: TlsFiles;
}

/** The superuser (admin), the owner role that runs migrations, and the database. */
export const LOCAL_DB = { admin: 'postgres', owner: 'bernstein', database: 'bernstein' } as const;

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

let ownerUid: number | undefined;
/** The uid that owns the clusters: the postgres user when we are root, else ourselves. */
function clusterOwnerUid(): number {
  ownerUid ??= asRoot ? Number(execFileSync('id', ['-u', SERVICE_USER], { encoding: 'utf8' }).trim()) : userInfo().uid;
  return ownerUid;
}

/** Where the template cluster of these binaries and this owner is kept, shared by all runs. */
export function sharedTemplateDir(binDir: string): string {
  const version = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).trim().replace(/\W+/g, '-');
  return join(tmpdir(), `bernstein-pg-template-uid${clusterOwnerUid()}-${version}-v2`);
}

/**
 * initdb once per machine, binary directory and owning user; later clusters are copies of it.
 * The owner is in the name because the temporary directory is shared: a template that root's
 * runs made (owned by postgres, mode 0700) cannot be read by another user's runs. One found
 * under our name but owned by someone else is not ours to copy, so it is not used.
 */
async function templateCluster(binDir: string): Promise<string> {
  const owner = clusterOwnerUid();
  const shared = sharedTemplateDir(binDir);
  const found = statSync(shared, { throwIfNoEntry: false });
  if (found && found.uid === owner && existsSync(join(shared, 'data', 'PG_VERSION'))) return shared;
  const template = found && found.uid !== owner ? join(tmpdir(), `bernstein-pg-template-private-${randomBytes(6).toString('hex')}`) : shared;

  const building = mkdtempSync(join(tmpdir(), 'bernstein-pg-template-build-'));
  const pwfile = join(building, 'pwfile');
  // Replaced in every copy (setAdminPassword); nobody ever knows this one.
  writeFileSync(pwfile, randomBytes(24).toString('base64url'));
  giveToServiceUser(building);
  const [cmd, args] = command(join(binDir, 'initdb'), [
    '-D', join(building, 'data'), '-U', LOCAL_DB.admin, `--pwfile=${pwfile}`,
    '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-instructions',
  ]);
  execFileSync(cmd, args, { stdio: 'pipe' });
  rmSync(pwfile);
  // Create the application database once, in the template.
  const server = new PostgresServer(building, await freePort(), { durable: false }, binDir, 'unused');
  await server.restart();
  const client = new pg.Client({ ...server.socketConnection(LOCAL_DB.admin), database: 'postgres' });
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

  readonly passwords: Record<PostgresLogin, string>;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly options: PostgresServerOptions,
    private readonly binDir: string,
    passwords?: Record<PostgresLogin, string> | 'unused',
  ) {
    this.passwords = passwords === 'unused' ? ({} as Record<PostgresLogin, string>) : (passwords ?? loadOrCreateCredentials(dir).postgres);
  }

  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const binDir = postgresBinDir();
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'bernstein-pg-'));
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'data', 'PG_VERSION'))) {
      const template = await templateCluster(binDir);
      execFileSync('cp', ['-a', join(template, 'data'), join(dir, 'data')]);
    }
    if (options.tls) {
      // The server reads its key only if no one else may (0600, its own user).
      mkdirSync(join(dir, 'tls'), { recursive: true });
      copyFileSync(options.tls.serverCert, join(dir, 'tls', 'server.pem'));
      copyFileSync(options.tls.serverKey, join(dir, 'tls', 'server.key'));
      chmodSync(join(dir, 'tls', 'server.key'), 0o600);
    }
    const server = new PostgresServer(dir, options.port ?? (await freePort()), options, binDir, options.passwords);
    giveToServiceUser(dir);
    await server.restart();
    await server.setAdminPassword();
    if (options.roles) await setUpDatabase(server.setupConfig(), pino({ level: 'silent' }), 'bernstein-local-setup');
    return server;
  }

  /** As the admin over the Unix socket (trust): the admin's password is this directory's. */
  private async setAdminPassword(): Promise<void> {
    const client = new pg.Client({ ...this.socketConnection(LOCAL_DB.admin), database: 'postgres' });
    await client.connect();
    try {
      await client.query(`ALTER ROLE ${LOCAL_DB.admin} PASSWORD '${scramVerifier(this.passwords.admin)}'`);
    } finally {
      await client.end();
    }
  }

  /** A connection over the server's Unix socket, where local connections are trusted. */
  socketConnection(user: string): pg.ClientConfig {
    return { host: this.dir, port: this.port, user, database: LOCAL_DB.database };
  }

  /** The admin's connection (superuser), for tests and tools that inspect everything. */
  get connection() {
    return { host: this.host, port: this.port, user: LOCAL_DB.admin, password: this.passwords.admin, database: LOCAL_DB.database };
  }

  /** Environment variables that point a service at this server (the course's names), as the admin. */
  get env(): Record<string, string> {
    return this.envFor('admin');
  }

  /** The variables of one login: POSTGRES_USER and POSTGRES_PASSWORD, with TLS when on. */
  envFor(login: PostgresLogin): Record<string, string> {
    const user = login === 'admin' ? LOCAL_DB.admin : login === 'owner' ? LOCAL_DB.owner : login;
    return {
      POSTGRES_HOST: this.host,
      POSTGRES_PORT: String(this.port),
      POSTGRES_DB: LOCAL_DB.database,
      POSTGRES_USER: user,
      POSTGRES_PASSWORD: this.passwords[login],
      ...(this.options.tls ? { POSTGRES_SSLMODE: 'verify-full', POSTGRES_SSL_CA: this.options.tls.ca } : {}),
    };
  }

  /** The migrate step's variables: the owner, the admin that creates roles, and every role's password. */
  get setupEnv(): Record<string, string> {
    return {
      ...this.envFor('owner'),
      POSTGRES_ADMIN_USER: LOCAL_DB.admin,
      POSTGRES_ADMIN_PASSWORD: this.passwords.admin,
      POSTGRES_WORKER_PASSWORD: this.passwords.worker,
      POSTGRES_RESULT_PASSWORD: this.passwords.result,
      POSTGRES_BACKUP_PASSWORD: this.passwords.backup,
    };
  }

  /** `setupEnv` as the configuration `setUpDatabase` takes. */
  setupConfig() {
    const tls = this.options.tls;
    return {
      postgresHost: this.host,
      postgresPort: this.port,
      postgresDb: LOCAL_DB.database,
      postgresUser: LOCAL_DB.owner,
      postgresPassword: this.passwords.owner,
      postgresSslMode: tls ? ('verify-full' as const) : undefined,
      postgresSslCa: tls?.ca,
      postgresAdminUser: LOCAL_DB.admin,
      postgresAdminPassword: this.passwords.admin,
      postgresWorkerPassword: this.passwords.worker,
      postgresResultPassword: this.passwords.result,
      postgresBackupPassword: this.passwords.backup,
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
      ...(this.options.tls
        ? ['ssl=on', `ssl_cert_file=${join(this.dir, 'tls', 'server.pem')}`, `ssl_key_file=${join(this.dir, 'tls', 'server.key')}`]
        : []),
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
        await this.probe();
      },
      30_000,
      100,
    ).catch(async (err: unknown) => {
      await this.proc?.kill();
      throw new Error(`${(err as Error).message}; see ${logFile}`, { cause: err });
    });
  }

  /**
   * One connection over the socket as the admin. A data directory made before the admin role
   * existed (its superuser was the owner, `bernstein`) gets the admin role first; migrate's
   * ensureRoles then takes superuser away from the owner.
   */
  private async probe(): Promise<void> {
    const attempt = async (user: string, sql: string) => {
      const client = new pg.Client({ ...this.socketConnection(user), database: 'postgres', connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query(sql);
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    try {
      await attempt(LOCAL_DB.admin, 'SELECT 1');
    } catch (err) {
      if ((err as { code?: string }).code !== '28000') throw err; // role "postgres" does not exist
      await attempt(LOCAL_DB.owner, `CREATE ROLE ${LOCAL_DB.admin} SUPERUSER LOGIN`);
    }
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
