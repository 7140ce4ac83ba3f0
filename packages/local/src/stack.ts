/**
 * The whole system on one machine: private Redis and PostgreSQL (or external ones given by
 * REDIS_HOST / POSTGRES_HOST), migrations, then poll, result and worker processes. Used by
 * `npm start` (up.ts), by `bernstein load --chaos` (which kills and restarts parts of it) and
 * by end-to-end tests.
 *
 * The private servers run least-privilege, as a deployment does: Redis with its ACL users
 * (default user off) and PostgreSQL with its roles; each service connects as its own user,
 * with passwords generated once and kept in the data directory (credentials.json, 0600).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig, migrateSpec, setUpDatabase } from '@bernstein/common';
import { loadOrCreateCredentials, type Credentials } from './credentials.js';
import { freePort } from './ports.js';
import { PostgresServer } from './postgres-server.js';
import { RedisServer } from './redis-server.js';
import { describeExit, ServiceProcess, type ExitState } from './service-process.js';
import { isAlive } from './process.js';
import { makeTlsFiles } from './tls-files.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type ServiceName = 'poll' | 'result' | 'worker';

export interface StackOptions {
  /** Redis and PostgreSQL data and the cookie secret live here; a fresh temporary directory when omitted. */
  dataDir?: string;
  /** Environment the external-server variables are read from, and passed on to services. */
  env?: Record<string, string | undefined>;
  /** Preferred ports; 0 means any free port. */
  pollPort?: number;
  resultPort?: number;
  workerPort?: number;
  /** Preferred ports of the private servers; another free port is used when taken. */
  redisPort?: number;
  postgresPort?: number;
  polls?: number;
  workers?: number;
  /** Run services from `src/server.ts` (needs tsx in NODE_OPTIONS) instead of `dist/server.js`. */
  fromSource?: boolean;
  /** Extra variables for every service (e.g. CLAIM_IDLE_MS for chaos runs). */
  serviceEnv?: Record<string, string>;
  /** Each output line of a service or of the runner itself. */
  output?: (name: string, line: string) => void;
  /** A service or database ended without being asked to. */
  onUnexpectedExit?: (name: string, state: ExitState) => void;
  /** PostgreSQL with fsync on (default true); tests may turn it off. */
  durable?: boolean;
  /** TLS to the private Redis (TLS only) and PostgreSQL, with a CA made in the data directory (tls/). */
  tls?: boolean;
}

/** A problem the user can fix, reported as one line without a stack trace. */
export class StackError extends Error {
  readonly code = 'BERNSTEIN_LOCAL_RUN';
}

export async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function servicePort(preferred: number | undefined, what: string, variable: string): Promise<number> {
  if (!preferred) return freePort();
  if (!(await portIsFree(preferred))) {
    throw new StackError(`port ${preferred} for ${what} is already in use on 127.0.0.1; stop what uses it or set ${variable} to another port`);
  }
  return preferred;
}

async function serverPort(preferred: number | undefined, what: string, note: (line: string) => void): Promise<number> {
  if (preferred && (await portIsFree(preferred))) return preferred;
  const port = await freePort();
  if (preferred) note(`port ${preferred} for ${what} is taken; using ${port} instead`);
  return port;
}

/** The key that signs voter cookies, made once and kept with the data so cookies stay valid across runs. */
function cookieSecret(dataDir: string): string {
  const file = join(dataDir, 'cookie-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(36).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * The admin token of the admin API and page: ADMIN_TOKEN when set, else one made on the first
 * start and kept in the data directory (0600), like the cookie key.
 */
export function adminToken(dataDir: string): { token: string; file: string } {
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file };
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, file };
}

function lineWriter(write: (line: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) write(line);
      done();
    },
  });
}

export class LocalStack {
  readonly services: ServiceProcess[] = [];
  /** Where the generated admin token is kept; undefined when ADMIN_TOKEN came from the environment. */
  adminTokenFile: string | undefined;
  private adminTokenValue: string | undefined;
  redis: RedisServer | undefined;
  postgres: PostgresServer | undefined;
  private stopping = false;
  private workerCount = 0;
  private readonly output: (name: string, line: string) => void;
  private sharedEnv: Record<string, string | undefined> = {};
  private monitor: NodeJS.Timeout | undefined;
  /** Databases we stop on purpose (chaos) are not reported as failures. */
  private readonly expectedDown = new Set<'redis' | 'postgres'>();

  private constructor(
    readonly options: StackOptions,
    readonly dataDir: string,
  ) {
    this.output = options.output ?? (() => undefined);
  }

  static async start(options: StackOptions = {}): Promise<LocalStack> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bernstein-local-'));
    mkdirSync(dataDir, { recursive: true });
    // As root, PostgreSQL runs as the postgres user, which must be able to reach its directory.
    if (process.getuid?.() === 0) chmodSync(dataDir, statSync(dataDir).mode | 0o111);
    const stack = new LocalStack(options, dataDir);
    try {
      await stack.boot();
      return stack;
    } catch (err) {
      await stack.stop();
      throw err;
    }
  }

  private note(line: string): void {
    this.output('local', line);
  }

  get pollUrls(): string[] {
    return this.services.filter((s) => s.name.startsWith('poll')).map((s) => s.url);
  }

  get resultUrl(): string {
    const result = this.services.find((s) => s.name.startsWith('result'));
    if (!result) throw new Error('no result service');
    return result.url;
  }

  get workers(): ServiceProcess[] {
    return this.services.filter((s) => s.name.startsWith('worker') && s.running);
  }

  /** Redis as an operator (the admin user of the private server), for inspection and tools. */
  get redisEnv(): Record<string, string | undefined> {
    if (this.redis) return this.redis.envFor('admin');
    const e = this.sharedEnv;
    return { REDIS_HOST: e.REDIS_HOST, REDIS_PORT: e.REDIS_PORT, REDIS_USERNAME: e.REDIS_USERNAME, REDIS_PASSWORD: e.REDIS_PASSWORD };
  }

  /** PostgreSQL as the owner of the tables (of the private server), for inspection and tools. */
  get postgresEnv(): Record<string, string | undefined> {
    if (this.postgres) return this.postgres.envFor('owner');
    const e = this.sharedEnv;
    return { POSTGRES_HOST: e.POSTGRES_HOST, POSTGRES_PORT: e.POSTGRES_PORT, POSTGRES_DB: e.POSTGRES_DB, POSTGRES_USER: e.POSTGRES_USER, POSTGRES_PASSWORD: e.POSTGRES_PASSWORD };
  }

  /** Each service's own Redis user and PostgreSQL role, on the private servers. */
  private credentialsEnv(service: ServiceName): Record<string, string> {
    const redis = this.redis && service !== 'result' ? this.redis.envFor(service) : {};
    const postgres = this.postgres && service !== 'poll' ? this.postgres.envFor(service) : {};
    const admin: Record<string, string> = service === 'poll' && this.adminTokenValue !== undefined ? { ADMIN_TOKEN: this.adminTokenValue } : {};
    return { ...redis, ...postgres, ...admin };
  }

  private entry(service: ServiceName): string {
    const file = this.options.fromSource ? 'src/server.ts' : 'dist/server.js';
    const path = join(REPO_ROOT, 'services', service, file);
    if (!existsSync(path)) {
      throw new StackError(
        this.options.fromSource
          ? `services/${service}/${file} does not exist`
          : `services/${service}/${file} does not exist: build first with \`npm run build\` (or run \`npm start\`, which builds)`,
      );
    }
    return path;
  }

  private async boot(): Promise<void> {
    const env = { ...(this.options.env ?? process.env) };
    // Ports, hosts and names are per service; anything else set by the user passes through.
    for (const key of ['PORT', 'OPS_PORT', 'HOST', 'WORKER_NAME']) delete env[key];
    const detached = true;
    // Ports first: a taken port is reported before anything is started.
    const polls = this.options.polls ?? 1;
    const workers = this.options.workers ?? 1;
    const pollPort = await servicePort(this.options.pollPort, 'poll', 'POLL_PORT');
    const resultPort = await servicePort(this.options.resultPort, 'result', 'RESULT_PORT');
    const workerPort = workers > 0 ? await servicePort(this.options.workerPort, 'worker', 'WORKER_PORT') : 0;

    const credentials: Credentials = loadOrCreateCredentials(this.dataDir);
    const tls = this.options.tls ? makeTlsFiles(join(this.dataDir, 'tls')) : undefined;
    if (env.REDIS_HOST) {
      this.note(`using Redis at ${env.REDIS_HOST}:${env.REDIS_PORT ?? 6379} (REDIS_HOST is set)`);
    } else {
      const port = await serverPort(this.options.redisPort, 'Redis', (l) => this.note(l));
      this.redis = await RedisServer.start({
        dir: join(this.dataDir, 'redis'),
        port,
        detached,
        acl: credentials.redis,
        ...(env.VOTES_STREAM ? { stream: env.VOTES_STREAM } : {}),
        ...(tls ? { tls } : {}),
      });
      for (const key of Object.keys(env)) if (key.startsWith('REDIS_')) delete env[key];
      this.note(`Redis ${this.redis.host}:${this.redis.port}${tls ? ' (TLS)' : ''} (data in ${join(this.dataDir, 'redis')}; ACL users, passwords in ${join(this.dataDir, 'credentials.json')})`);
    }

    if (env.POSTGRES_HOST) {
      this.note(`using PostgreSQL at ${env.POSTGRES_HOST}:${env.POSTGRES_PORT ?? 5432} (POSTGRES_HOST is set)`);
    } else {
      const port = await serverPort(this.options.postgresPort, 'PostgreSQL', (l) => this.note(l));
      const dir = postgresDirFor(this.dataDir);
      this.postgres = await PostgresServer.start({
        dir,
        port,
        detached,
        durable: this.options.durable ?? true,
        passwords: credentials.postgres,
        ...(tls ? { tls } : {}),
      });
      for (const key of Object.keys(env)) if (key.startsWith('POSTGRES_')) delete env[key];
      this.note(`PostgreSQL ${this.postgres.host}:${this.postgres.port}${tls ? ' (TLS)' : ''} (data in ${dir}; roles, passwords in ${join(this.dataDir, 'credentials.json')})`);
    }

    env.COOKIE_SECRET ||= cookieSecret(this.dataDir);
    // The admin token goes to poll only (credentialsEnv), not to every service.
    if (env.ADMIN_TOKEN) this.adminTokenValue = env.ADMIN_TOKEN;
    else {
      const admin = adminToken(this.dataDir);
      this.adminTokenValue = admin.token;
      this.adminTokenFile = admin.file;
    }
    delete env.ADMIN_TOKEN;
    // The local run is where `bernstein load` and the end-to-end tests send thousands of votes
    // a second from one address (127.0.0.1): poll's per-address and per-voter limits
    // (docs/security.md) would refuse them, so the local run raises them unless they are set.
    env.NEW_VOTERS_PER_MINUTE ||= '60000000';
    env.NEW_VOTERS_BURST ||= '100000';
    env.VOTE_CHANGES_PER_MINUTE ||= '60000000';
    env.VOTE_CHANGES_BURST ||= '100000';
    // The voting page links to the live results.
    env.RESULT_URL ||= `http://127.0.0.1:${resultPort}/`;
    // The results pages link back to voting; the present view shows it as the join address.
    env.POLL_URL ||= `http://127.0.0.1:${pollPort}/`;
    env.HOST = '127.0.0.1';
    this.sharedEnv = { ...env, ...this.options.serviceEnv };
    this.watchDatabases();

    await this.migrate();

    const starting: ServiceProcess[] = [];
    for (let i = 0; i < polls; i++) {
      starting.push(this.spawn(i === 0 ? 'poll' : `poll-${i + 1}`, 'poll', i === 0 ? pollPort : await freePort(), {}, await freePort()));
    }
    starting.push(this.spawn('result', 'result', resultPort, {}, await freePort()));
    for (let i = 0; i < workers; i++) starting.push(this.spawnWorker(i === 0 ? workerPort : await freePort()));
    await Promise.all(starting.map((s) => s.ready()));
  }

  /**
   * The migrate step a deployment runs: on the private server, roles (as its superuser), then
   * migrations and grants (as the owner); on an external one, migrations as POSTGRES_USER.
   */
  private async migrate(): Promise<void> {
    const e = this.sharedEnv;
    const logger = pino({ level: 'info', base: { service: 'migrate' } }, lineWriter((l) => this.output('migrate', l)));
    try {
      // External: the migrate step's own variables (POSTGRES_ADMIN_USER and the role passwords, if given).
      const config = this.postgres ? this.postgres.setupConfig() : loadConfig(migrateSpec, e);
      await setUpDatabase(config, logger, 'bernstein-local-migrate');
    } catch (err) {
      throw new StackError(`migrations failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** `opsPort`: the ops listener of poll and result (the worker's one port is its ops port). */
  private spawn(name: string, service: ServiceName, port: number, extraEnv: Record<string, string> = {}, opsPort?: number): ServiceProcess {
    const proc = new ServiceProcess({
      name,
      entry: this.entry(service),
      nodeArgs: serviceNodeFlags(service),
      env: { ...this.sharedEnv, ...this.credentialsEnv(service), ...extraEnv },
      port,
      ...(opsPort === undefined ? {} : { opsPort }),
      output: this.output,
      cwd: REPO_ROOT,
    });
    this.services.push(proc);
    void proc.exited.then((state) => {
      if (!proc.stopping && !this.stopping) this.options.onUnexpectedExit?.(name, state);
    });
    return proc;
  }

  private spawnWorker(port: number): ServiceProcess {
    this.workerCount += 1;
    const name = this.workerCount === 1 ? 'worker' : `worker-${this.workerCount}`;
    // A restarted worker is a new consumer; the dead one's pending votes are claimed (XAUTOCLAIM).
    return this.spawn(name, 'worker', port, { WORKER_NAME: `local-${name}` });
  }

  /** Starts one more worker (on a free ops port) and waits until it is ready. */
  async addWorker(): Promise<ServiceProcess> {
    const proc = this.spawnWorker(await freePort());
    await proc.ready();
    return proc;
  }

  /** A private database that dies on its own is a failure worth stopping for. */
  private watchDatabases(): void {
    this.monitor = setInterval(() => {
      for (const [name, server] of [['redis', this.redis], ['postgres', this.postgres]] as const) {
        const pid = server?.pid;
        if (!pid || this.stopping || this.expectedDown.has(name)) continue;
        if (!isAlive(pid)) {
          this.expectedDown.add(name);
          this.options.onUnexpectedExit?.(name, { code: null, signal: null });
        }
      }
    }, 500);
    this.monitor.unref();
  }

  /** Chaos: SIGKILL Redis and start it again on the same port and data (AOF replay). */
  async crashRedis(downMs = 0): Promise<void> {
    if (!this.redis) throw new Error('Redis is external; it cannot be crashed from here');
    this.expectedDown.add('redis');
    await this.redis.kill();
    if (downMs) await sleep(downMs);
    await this.redis.restart();
    this.expectedDown.delete('redis');
  }

  /** Chaos: stop PostgreSQL (fast shutdown), keep it down a while, start it again. */
  async bouncePostgres(downMs = 0): Promise<void> {
    if (!this.postgres) throw new Error('PostgreSQL is external; it cannot be stopped from here');
    this.expectedDown.add('postgres');
    await this.postgres.stop();
    if (downMs) await sleep(downMs);
    await this.postgres.restart();
    this.expectedDown.delete('postgres');
  }

  /** Services first (poll stops taking votes, the worker commits its batch), then the databases. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.monitor) clearInterval(this.monitor);
    await Promise.all(this.services.map((s) => s.stop()));
    await Promise.all([this.redis?.stop(), this.postgres?.stop()]);
  }

  describe(name: string, state: ExitState): string {
    return `${name} ${describeExit(state)}`;
  }
}

/**
 * The Node flags a service's own `start` script gives (`node --flag … dist/server.js`), so
 * the local run starts each service the way its package says (e.g. a smaller young
 * generation for a lower idle RSS). Anything else in the script is ignored.
 */
export function serviceNodeFlags(service: ServiceName): string[] {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'services', service, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
    return nodeFlagsOf(pkg.scripts?.start ?? '');
  } catch {
    return [];
  }
}

/** `node --a --b=1 dist/server.js` → ['--a', '--b=1']; any other shape → []. */
export function nodeFlagsOf(script: string): string[] {
  const match = /^node((?:\s+--[\w-]+(?:=\S+)?)*)\s+dist\/server\.js$/.exec(script.trim());
  return match?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

/** Where root keeps the PostgreSQL data of a local run whose data directory the postgres user cannot reach. */
export const ROOT_POSTGRES_HOME = '/var/lib/bernstein';

/** True when every directory from `dir` up to `/` lets other users through (the execute bit). */
export function reachableByOthers(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * The PostgreSQL directory of a local run. PostgreSQL refuses root, so as root the server runs
 * as the postgres user, which cannot enter a data directory under a private home (a clone in
 * /root, mode 0700). Rather than ask the user to open their home, root then keeps PostgreSQL's
 * data under ROOT_POSTGRES_HOME, in a directory named after the data directory, so each clone
 * keeps its own data across runs.
 */
export function postgresDirFor(dataDir: string, home = ROOT_POSTGRES_HOME): string {
  const inside = join(dataDir, 'postgres');
  if (process.getuid?.() !== 0 || reachableByOthers(dataDir)) return inside;
  const abs = resolve(dataDir);
  const id = `${basename(dirname(abs))}-${createHash('sha256').update(abs).digest('hex').slice(0, 12)}`;
  mkdirSync(home, { recursive: true, mode: 0o755 });
  chmodSync(home, statSync(home).mode | 0o111);
  return join(home, id, 'postgres');
}

