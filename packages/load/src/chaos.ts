/**
 * `bernstein load --chaos`: starts the whole system locally (private Redis and PostgreSQL,
 * poll, result, workers), runs a load against it and meanwhile breaks it on purpose:
 * SIGKILL of a worker every few seconds (a new one starts at once), a SIGKILL of Redis and a
 * restart (AOF replay), a stop of PostgreSQL for a few seconds and a restart. Then the usual
 * verification must still find zero lost and zero double-counted votes.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStack, describeExit } from '@bernstein/local';
import { runLoad, type LoadHooks, type LoadOptions, type LoadReport } from './runner.js';

export interface ChaosOptions {
  /** Kill a worker this often. */
  killEveryMs: number;
  workers: number;
  pollInstances: number;
  /** Crash Redis at this share of the duration (0 = never) and keep it down this long. */
  redisAt: number;
  redisDownMs: number;
  /** Stop PostgreSQL at this share of the duration (0 = never) and keep it down this long. */
  postgresAt: number;
  postgresDownMs: number;
  /** Run services from their TypeScript sources (tests). */
  fromSource: boolean;
  /** Service logs: to this function, else to a file in the run's directory. */
  output?: (name: string, line: string) => void;
  /** What the chaos does, as it happens. */
  onEvent?: (event: string) => void;
}

export const defaultChaosOptions: ChaosOptions = {
  killEveryMs: 3000,
  workers: 2,
  pollInstances: 1,
  redisAt: 0.3,
  redisDownMs: 1000,
  postgresAt: 0.6,
  postgresDownMs: 3000,
  fromSource: import.meta.url.endsWith('.ts'),
};

export async function runChaos(
  load: Omit<LoadOptions, 'pollUrls' | 'resultUrl'>,
  chaos: ChaosOptions,
  hooks: LoadHooks = {},
): Promise<LoadReport & { logDir: string }> {
  if (!load.durationMs) throw new Error('a chaos run needs a duration (--duration)');
  const durationMs = load.durationMs;
  const dir = mkdtempSync(join(tmpdir(), 'bernstein-chaos-'));
  const logFile = createWriteStream(join(dir, 'services.log'));
  const output = chaos.output ?? ((name: string, line: string) => logFile.write(`${name} | ${line}\n`));
  const events: { atMs: number; event: string }[] = [];
  let t0 = performance.now();
  const event = (text: string) => {
    events.push({ atMs: Math.round(performance.now() - t0), event: text });
    chaos.onEvent?.(text);
  };
  const unexpected: string[] = [];

  const stack = await LocalStack.start({
    dataDir: dir,
    env: { PATH: process.env.PATH, NODE_OPTIONS: process.env.NODE_OPTIONS, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    pollPort: 0,
    resultPort: 0,
    workerPort: 0,
    polls: chaos.pollInstances,
    workers: chaos.workers,
    fromSource: chaos.fromSource,
    // A killed worker's pending votes are claimed soon, so the run settles quickly.
    serviceEnv: { CLAIM_IDLE_MS: '2000', BLOCK_MS: '500' },
    output,
    onUnexpectedExit: (name, state) => {
      const text = `${name} stopped unexpectedly (${describeExit(state)})`;
      unexpected.push(text);
      event(text);
    },
  });

  let running = true;
  let current: Promise<void> = Promise.resolve();
  const act = (what: string, action: () => Promise<unknown>) => {
    current = current.then(async () => {
      if (!running) return;
      event(`${what}…`);
      try {
        await action();
        event(`${what}: done`);
      } catch (err) {
        unexpected.push(`${what} failed: ${(err as Error).message}`);
        event(`${what} failed: ${(err as Error).message}`);
      }
    });
  };

  const timers: NodeJS.Timeout[] = [];
  const beforeSettle = async () => {
    running = false;
    for (const t of timers) clearTimeout(t);
    await current;
    await hooks.beforeSettle?.();
  };

  try {
    t0 = performance.now();
    const killer = setInterval(() => {
      act('SIGKILL a worker and start another', async () => {
        const victims = stack.workers;
        const victim = victims[Math.floor(Math.random() * victims.length)];
        if (victim) await victim.kill();
        await stack.addWorker();
      });
    }, chaos.killEveryMs);
    timers.push(killer);
    if (chaos.redisAt > 0) {
      timers.push(setTimeout(() => act(`SIGKILL Redis, restart after ${chaos.redisDownMs} ms`, () => stack.crashRedis(chaos.redisDownMs)), durationMs * chaos.redisAt));
    }
    if (chaos.postgresAt > 0) {
      timers.push(
        setTimeout(() => act(`stop PostgreSQL, restart after ${chaos.postgresDownMs} ms`, () => stack.bouncePostgres(chaos.postgresDownMs)), durationMs * chaos.postgresAt),
      );
    }
    const report = await runLoad(
      { ...load, pollUrls: stack.pollUrls, resultUrl: stack.resultUrl },
      { ...hooks, beforeSettle: async () => {
        clearInterval(killer);
        await beforeSettle();
      } },
    );
    const ok = report.ok && unexpected.length === 0;
    return { ...report, ok, chaos: events, logDir: dir };
  } finally {
    running = false;
    for (const t of timers) clearTimeout(t);
    await current.catch(() => undefined);
    await stack.stop();
    logFile.end();
    if (process.env.BERNSTEIN_KEEP_CHAOS_DIR === undefined) {
      // Keep only the logs; the databases are throw-away.
      rmSync(join(dir, 'redis'), { recursive: true, force: true });
      rmSync(join(dir, 'postgres'), { recursive: true, force: true });
    }
  }
}
