/** What every benchmark gets from the runner: shared private servers and run settings. */
import type { PostgresServer, RedisServer } from '@bernstein/local';
import type { Recorder } from './record.js';

export interface BenchContext {
  /** Private Redis, AOF on, appendfsync always (as shipped). */
  redis: RedisServer;
  /** Private PostgreSQL, fsync on. */
  postgres: PostgresServer;
  /** Tiny sizes (CI smoke run): checks the scripts work, not the speed. */
  smoke: boolean;
  /** Services from src/ under tsx instead of dist/. */
  fromSource: boolean;
  /** When set, services are CPU-profiled and write profiles below this directory. */
  profileDir: string | undefined;
  /** Extra Node flags for every service process (e.g. `--max-semi-space-size=2`), to measure a proposed setting. */
  serviceNodeOptions: string;
  recorder: Recorder;
  /** Cores of the machine (everything shares them: generator, service, Redis, PostgreSQL). */
  machineCores: number;
  /** One progress line for the person watching. */
  log: (line: string) => void;
}

/** Signs voter cookies in every service the benchmarks start (any 32+ characters). */
export const BENCH_COOKIE_SECRET = 'bench-cookie-secret-0123456789abcdefghij';
