/**
 * `bernstein load --drain`: how fast one worker empties a queue. Starts the local system with
 * no worker, queues the votes (poll acknowledges them into Redis), then starts one worker and
 * times it until the consumer group has read and acknowledged everything; then verifies the
 * tallies exactly as a normal run does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { LocalStack } from '@bernstein/local';
import { runLoad, type LoadHooks, type LoadOptions, type LoadReport } from './runner.js';

export interface DrainReport extends LoadReport {
  drain: { votes: number; ms: number; votesPerSecond: number; batchSize: number };
}

interface GroupInfo {
  lag: number | null;
  pending: number;
}

async function groupInfo(redis: Redis, stream: string): Promise<GroupInfo | undefined> {
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  const fields = groups[0];
  if (!fields) return undefined;
  const m = new Map<string, unknown>();
  for (let i = 0; i < fields.length; i += 2) m.set(String(fields[i]), fields[i + 1]);
  const lag = m.get('lag');
  return { lag: typeof lag === 'number' ? lag : null, pending: Number(m.get('pending')) };
}

export async function measureDrain(
  load: Omit<LoadOptions, 'pollUrls' | 'resultUrl'>,
  options: { batchSize?: number; fromSource: boolean; output?: (name: string, line: string) => void },
  hooks: LoadHooks = {},
): Promise<DrainReport> {
  const dir = mkdtempSync(join(tmpdir(), 'bernstein-drain-'));
  const batchSize = options.batchSize ?? 500;
  const stack = await LocalStack.start({
    dataDir: dir,
    env: { PATH: process.env.PATH, NODE_OPTIONS: process.env.NODE_OPTIONS, LOG_LEVEL: 'warn' },
    pollPort: 0,
    resultPort: 0,
    workers: 0,
    fromSource: options.fromSource,
    serviceEnv: { BATCH_SIZE: String(batchSize) },
    output: options.output ?? (() => undefined),
  });
  const e = stack.redisEnv;
  const redis = new Redis({ host: e.REDIS_HOST, port: Number(e.REDIS_PORT), username: e.REDIS_USERNAME, password: e.REDIS_PASSWORD, lazyConnect: true });
  let drain = { votes: 0, ms: 0, votesPerSecond: 0, batchSize };
  try {
    await redis.connect();
    const report = await runLoad(
      { ...load, pollUrls: stack.pollUrls, resultUrl: stack.resultUrl, visibility: false },
      {
        ...hooks,
        beforeSettle: async () => {
          const votes = await redis.xlen('votes');
          const worker = await stack.addWorker();
          const started = performance.now();
          for (;;) {
            const info = await groupInfo(redis, 'votes');
            if (info && info.lag === 0 && info.pending === 0) break;
            if (!worker.running) throw new Error('the worker died while draining');
            await new Promise((r) => setTimeout(r, 20));
          }
          const ms = performance.now() - started;
          drain = { votes, ms: Math.round(ms), votesPerSecond: Math.round((votes * 1000) / ms), batchSize };
          await hooks.beforeSettle?.();
        },
      },
    );
    return { ...report, drain };
  } finally {
    redis.disconnect();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
