/** Runs the worker's real entry points as child processes, the way a deployment does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));
export const MIGRATE = fileURLToPath(new URL('../src/migrate.ts', import.meta.url));

export class Child {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(entry: string, env: Record<string, string>, args: string[] = []) {
    // NODE_OPTIONS (tsx, the "source" condition) is inherited from the test runner.
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(REDIS_|POSTGRES_|PORT$|WORKER_NAME|BATCH_SIZE|BLOCK_MS|CLAIM_IDLE_MS|LOG_LEVEL)/.test(k)),
    );
    this.proc = spawn(process.execPath, [entry, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Ends the child if a test left it running (SIGKILL: we are cleaning up). */
  async dispose(): Promise<void> {
    if (this.running) this.proc.kill('SIGKILL');
    await this.exited;
  }
}
