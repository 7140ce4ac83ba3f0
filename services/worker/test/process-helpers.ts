/** Runs the worker's real entry points as child processes, the way a deployment does. */
import { fileURLToPath } from 'node:url';
import { EntryProcess } from '@bernstein/common/testing';

export const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));
export const MIGRATE = fileURLToPath(new URL('../src/migrate.ts', import.meta.url));

/** A worker entry point with the test runner's environment, less the variables the worker reads. */
export class Child extends EntryProcess {
  constructor(entry: string, env: Record<string, string>, args: string[] = []) {
    // NODE_OPTIONS (tsx, the "source" condition) is inherited from the test runner.
    const base = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^(REDIS_|POSTGRES_|PORT$|WORKER_NAME|BATCH_SIZE|BLOCK_MS|CLAIM_IDLE_MS|LOG_LEVEL)/.test(e[0])),
    );
    super(entry, { ...base, ...env }, { args });
  }
}
