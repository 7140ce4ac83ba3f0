/**
 * One Bernstein service (poll, worker, result) run as a child Node process: its output goes
 * line by line to `output` (prefixed by the caller), its exit is observable, and it is
 * stopped with SIGTERM (graceful shutdown) or killed with SIGKILL (a crash, for chaos runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { GiveUp, waitFor } from './ports.js';

export interface ServiceProcessOptions {
  /** Shown in logs and messages: `poll`, `worker-2`… */
  name: string;
  /** The service's entry: `services/<name>/dist/server.js` or, from sources, `src/server.ts`. */
  entry: string;
  /** Node options placed before the entry (e.g. the service's own V8 flags). */
  nodeArgs?: string[];
  env: Record<string, string | undefined>;
  /** The HTTP port (ops endpoints for the worker). */
  port: number;
  /**
   * The ops port (OPS_PORT) of /healthz, /readyz and /metrics, for poll and result, whose
   * public port serves none of them; the worker's ops port is `port`.
   */
  opsPort?: number;
  output: (name: string, line: string) => void;
  cwd?: string;
}

export interface ExitState {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<ExitState>;
  private exitState: ExitState | undefined;
  /** Set once we asked it to stop, so its exit is not reported as a failure. */
  stopping = false;

  constructor(readonly options: ServiceProcessOptions) {
    this.child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry], {
      cwd: options.cwd,
      env: {
        ...options.env,
        PORT: String(options.port),
        ...(options.opsPort === undefined ? {} : { OPS_PORT: String(options.opsPort) }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches the runner only, which stops
      // services before the databases.
      detached: true,
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => options.output(options.name, line));
    }
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitState ??= { code, signal };
        resolve(this.exitState);
      });
      this.child.on('error', (err) => {
        options.output(options.name, `could not start: ${err.message}`);
        this.exitState ??= { code: -1, signal: null };
        resolve(this.exitState);
      });
    });
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitState === undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** Where /healthz, /readyz and /metrics are served. */
  get opsUrl(): string {
    return `http://127.0.0.1:${this.options.opsPort ?? this.options.port}`;
  }

  /** Waits until GET /readyz answers 200 (dependencies reachable); fails early if the process exits. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `${this.name} on ${this.url}`,
      async () => {
        if (!this.running) throw new GiveUp(`${this.name} exited (${describeExit(this.exitState)})`);
        const res = await fetch(`${this.opsUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
        await res.body?.cancel();
        if (res.status !== 200) throw new Error(`/readyz answered ${res.status}`);
      },
      timeoutMs,
      100,
    );
  }

  /** SIGTERM and wait for the graceful exit; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<ExitState> {
    this.stopping = true;
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: a crash, no chance to finish anything. */
  async kill(): Promise<ExitState> {
    this.stopping = true;
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }
}

export function describeExit(state: ExitState | undefined): string {
  if (!state) return 'still running';
  if (state.signal) return `killed by ${state.signal}`;
  return state.code === null ? 'exited' : `exit code ${state.code}`;
}
