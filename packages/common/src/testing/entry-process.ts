/**
 * A service's real entry point (`src/server.ts`, `src/migrate.ts`, a built `dist/server.js`) run
 * as a child process, the way a deployment runs it, with its output kept for assertions.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EntryProcessOptions {
  /** Arguments after the entry point. */
  args?: readonly string[];
  /** Flags for node itself, before the entry point. */
  nodeFlags?: readonly string[];
}

export class EntryProcess {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;

  /**
   * Starts `entry` with exactly `env`, plus PATH and the test runner's NODE_OPTIONS (tsx and the
   * "source" condition) unless `env` sets them.
   */
  constructor(entry: string, env: Record<string, string>, options: EntryProcessOptions = {}) {
    this.proc = spawn(process.execPath, [...(options.nodeFlags ?? []), entry, ...(options.args ?? [])], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  /** Ends the process if a test left it running (SIGKILL: we are cleaning up). */
  async dispose(): Promise<void> {
    if (this.running) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * Awaits a start refused for its configuration: exit 78, nothing on stdout, and one pino fatal
 * line on stderr with the code BERNSTEIN_CONFIG_INVALID. Returns that line's message.
 */
export async function configRefusal(run: { exited: Promise<Exit>; stdout: string; stderr: string }): Promise<string> {
  const { code } = await run.exited;
  assert.equal(code, 78, run.stderr);
  assert.equal(run.stdout, '', 'nothing on stdout');
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  const line = JSON.parse(lines[0] as string) as { level: number; msg: string; code: string };
  assert.equal(line.level, 60, 'a pino fatal line');
  assert.equal(line.code, 'BERNSTEIN_CONFIG_INVALID');
  return line.msg;
}
