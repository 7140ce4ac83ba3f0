/**
 * Measures how fast one worker drains a queue: XADDs N votes to a fresh stream first, then
 * times one in-process Consumer until every entry is committed and acknowledged.
 * Private Redis (AOF everysec) and PostgreSQL (durable: fsync on) are started and removed.
 *
 *   node --conditions=source --import=tsx bench/tools/worker-drain.ts [votes] [batch sizes…]
 *   e.g. … worker-drain.ts 100000 100 500 1000
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { createMetricsRegistry, Database, encodeVote, loadConfig, migrate, postgresVars, Redis, streamNames } from '@bernstein/common';
import { PostgresServer, RedisServer } from '@bernstein/local';
import { Consumer } from '../../services/worker/src/consumer.js';
import { createWorkerMetrics } from '../../services/worker/src/metrics.js';

const total = Number(process.argv[2] ?? 100_000);
const batchSizes = process.argv.slice(3).map(Number);
if (batchSizes.length === 0) batchSizes.push(100, 500, 1000);

const logger = pino({ level: 'warn' });
const redisServer = await RedisServer.start();
const pgServer = await PostgresServer.start({ durable: true });
const redis = new Redis({ host: redisServer.host, port: redisServer.port });
const db = new Database(loadConfig(postgresVars, pgServer.env), logger, 'bench');
await migrate(db, logger);

function voterId(): string {
  return randomBytes(16).toString('base64url');
}

/** `revoteShare` of the entries are a new vote of a voter who already voted. */
async function fill(stream: string, revoteShare: number): Promise<void> {
  const voters: string[] = [];
  const options = ['a', 'b', 'c', 'd'];
  for (let i = 0; i < total; i += 1000) {
    const pipe = redis.pipeline();
    for (let j = i; j < Math.min(total, i + 1000); j++) {
      let voter: string;
      if (voters.length > 0 && Math.random() < revoteShare) voter = voters[Math.floor(Math.random() * voters.length)] as string;
      else voters.push((voter = voterId()));
      pipe.xadd(stream, '*', ...encodeVote({ poll: 'default', voter, option: options[j % 4] as string, at: Date.now() }));
    }
    await pipe.exec();
  }
}

async function run(batchSize: number, revoteShare: number): Promise<number> {
  const stream = `bench-${batchSize}-${revoteShare}-${Date.now()}`;
  await db.query('TRUNCATE votes, tallies');
  await fill(stream, revoteShare);
  const metrics = createWorkerMetrics(createMetricsRegistry('bench'));
  const consumer = new Consumer({
    redis, db, logger, metrics, names: streamNames(stream), consumer: 'bench',
    batchSize, blockMs: 50, claimIdleMs: 60_000, trimIntervalMs: 0,
  });
  const started = performance.now();
  void consumer.start();
  for (;;) {
    const done = (await metrics.votesWritten.get()).values[0]?.value ?? 0;
    if (done >= total) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  await redis.del(stream);
  return total / seconds;
}

const rows: string[] = [];
// The machine may be shared: the load average says how much to trust the numbers.
process.stdout.write(`draining ${total.toLocaleString('en-US')} queued votes; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
try {
  for (const revoteShare of [0, 0.5]) {
    for (const size of batchSizes) {
      const rate = await run(size, revoteShare);
      const line = `batch ${String(size).padStart(5)}  re-votes ${String(revoteShare * 100).padStart(2)} %  ${Math.round(rate).toLocaleString('en-US').padStart(8)} votes/s`;
      rows.push(line);
      process.stdout.write(`${line}\n`);
    }
  }
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
} finally {
  redis.disconnect();
  await db.close();
  await redisServer.stop();
  await pgServer.stop();
}
