/**
 * `bernstein load --chaos`: starts the whole system locally (private Redis and PostgreSQL,
 * poll, result, workers), runs a load against it and meanwhile breaks it on purpose:
 * SIGKILL of a worker every few seconds (a new one starts at once), a SIGKILL of Redis and a
 * restart (AOF replay), a stop of PostgreSQL for a few seconds and a restart. Then the usual
 * verification must still find zero lost and zero double-counted votes.
 *
 * Steps run one at a time (chaos-steps.ts): a kill that comes due while a step is not over is
 * skipped, the database faults are never skipped, and the load goes on past its duration
 * (at most maxOverrunMs) until they are over and every service is ready again, so that each
 * one happens under load even when slow worker starts on a busy machine make them late.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStack, describeExit } from '@bernstein/local';
import { ChaosSteps } from './chaos-steps.js';
import { runLoad, type LoadHooks, type LoadOptions, type LoadReport } from './runner.js';

export interface ChaosOptions {
  /** Kill a worker this often (skipped when the previous chaos step is not over yet). */
  killEveryMs: number;
  workers: number;
  pollInstances: number;
  /** Crash Redis at this share of the duration (0 = never) and keep it down this long. */
  redisAt: number;
  redisDownMs: number;
  /** Stop PostgreSQL at this share of the duration (0 = never) and keep it down this long. */
  postgresAt: number;
  postgresDownMs: number;
  /**
   * The Redis and PostgreSQL faults always happen, late if another step is still running, and
   * the load goes on past its duration until they are over and every service is ready again,
   * but at most this much longer; a fault not over by then fails the run.
   */
  maxOverrunMs: number;
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
  maxOverrunMs: 60_000,
  fromSource: import.meta.url.endsWith('.ts'),
};

/** A scheduled database fault: when it is due, and how far it got. */
interface Fault {
  what: string;
  atMs: number;
  action: () => Promise<unknown>;
  timer?: NodeJS.Timeout;
  /** Its step is over (done or failed). */
  over: boolean;
}

export async function runChaos(
  load: Omit<LoadOptions, 'pollUrls' | 'resultUrl'>,
  chaos: ChaosOptions,
  hooks: LoadHooks = {},
): Promise<LoadReport & { logDir: string }> {
  if (!load.durationMs) throw new Error('a chaos run needs a duration (--duration)');
  for (const at of [chaos.redisAt, chaos.postgresAt]) {
    if (!(at >= 0 && at < 1)) throw new Error(`a fault's time is a share of the duration, from 0 (never) to below 1; got ${at}`);
  }
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
  const fail = (text: string) => {
    unexpected.push(text);
    event(text);
  };

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
    onUnexpectedExit: (name, state) => fail(`${name} stopped unexpectedly (${describeExit(state)})`),
  });

  const steps = new ChaosSteps({ event, failed: fail });
  // Recovered: every service that runs answers /readyz again (its dependencies are back).
  const allReady = () => Promise.all(stack.services.filter((s) => s.running).map((s) => s.ready()));
  const faults: Fault[] = [];
  if (chaos.redisAt > 0) {
    faults.push({
      what: `SIGKILL Redis, restart after ${chaos.redisDownMs} ms`,
      atMs: durationMs * chaos.redisAt,
      action: async () => {
        await stack.crashRedis(chaos.redisDownMs);
        await allReady();
      },
      over: false,
    });
  }
  if (chaos.postgresAt > 0) {
    faults.push({
      what: `stop PostgreSQL, restart after ${chaos.postgresDownMs} ms`,
      atMs: durationMs * chaos.postgresAt,
      action: async () => {
        await stack.bouncePostgres(chaos.postgresDownMs);
        await allReady();
      },
      over: false,
    });
  }
  const fire = (fault: Fault) => {
    fault.timer = undefined;
    void steps.always(fault.what, fault.action).then(() => {
      fault.over = true;
    });
  };

  let killer: NodeJS.Timeout | undefined;
  let overrunNoted = false;
  let loadEnded = false;
  const loadStarting = () => {
    t0 = performance.now();
    killer = setInterval(() => {
      steps.ifIdle('SIGKILL a worker and start another', async () => {
        const victims = stack.workers;
        const victim = victims[Math.floor(Math.random() * victims.length)];
        if (victim) await victim.kill();
        await stack.addWorker();
      });
    }, chaos.killEveryMs);
    for (const fault of faults) fault.timer = setTimeout(() => fire(fault), fault.atMs);
  };
  // Asked once the duration is over: the load goes on while a fault is not over, within the bound.
  const extendLoad = () => {
    const waiting = faults.filter((f) => !f.over);
    if (waiting.length === 0) return false;
    const overrun = performance.now() - t0 - durationMs;
    if (overrun >= chaos.maxOverrunMs) {
      event(`the load ends ${Math.round(overrun)} ms past its duration, the most allowed`);
      return false;
    }
    if (!overrunNoted) {
      overrunNoted = true;
      event(`the load goes on until these are over (at most ${chaos.maxOverrunMs} ms more): ${waiting.map((f) => f.what).join('; ')}`);
    }
    return true;
  };
  const stopChaos = () => {
    if (killer) clearInterval(killer);
    killer = undefined;
    for (const f of faults) if (f.timer) clearTimeout(f.timer);
  };

  try {
    const report = await runLoad(
      { ...load, pollUrls: stack.pollUrls, resultUrl: stack.resultUrl },
      {
        ...hooks,
        loadStarting,
        extendLoad,
        beforeSettle: async () => {
          loadEnded = true;
          stopChaos();
          if (steps.skipped > 0) event(`${steps.skipped} worker kills skipped: the step before was not over yet`);
          for (const f of faults) {
            if (f.timer) {
              // Only when the load was cut short (aborted): the fault still happens, now.
              fail(`${f.what}: due at ${Math.round(f.atMs)} ms, but the load ended first; it happens now, without load`);
              fire(f);
            } else if (!f.over) {
              fail(`${f.what}: not over when the load ended`);
            }
          }
          // Everything is up again before settling.
          await steps.idle();
          await hooks.beforeSettle?.();
        },
      },
    );
    const ok = report.ok && unexpected.length === 0;
    return { ...report, ok, chaos: events, logDir: dir };
  } finally {
    if (!loadEnded) steps.drop();
    stopChaos();
    await steps.idle().catch(() => undefined);
    await stack.stop();
    logFile.end();
    if (process.env.BERNSTEIN_KEEP_CHAOS_DIR === undefined) {
      // Keep only the logs; the databases are throw-away.
      rmSync(join(dir, 'redis'), { recursive: true, force: true });
      rmSync(join(dir, 'postgres'), { recursive: true, force: true });
    }
  }
}
