// Benchmark (not a test): poll's and Redis's CPU time per vote, for one or more checkouts,
// alternated round by round against one private Redis (AOF, appendfsync always), so two
// builds can be compared on a machine that is not quiet: CPU per vote moves far less with
// the machine's load than votes/s do.
// Usage: node --conditions=source --import=tsx bench/tools/poll-cpu-per-vote.ts [--rounds 4] [--seconds 8] <checkout> [<checkout> ...]
// Each checkout must be built (npm run build); its poll runs from its dist/, 50 connections
// from 50 source addresses (bench/lib/vote-generator.ts), after a 2 s warm-up.
import { rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, RedisServer, ServiceProcess } from '@bernstein/local';
import { LIMITS_RAISED } from '../benchmarks/poll.js';
import { BENCH_COOKIE_SECRET } from '../lib/context.js';
import { cpuSeconds } from '../lib/cpu.js';
import { generate } from '../lib/vote-generator.js';

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string', default: '4' }, seconds: { type: 'string', default: '8' } }, allowPositionals: true });
if (positionals.length === 0) throw new Error('name at least one checkout to measure');
const redis = await RedisServer.start({ appendfsync: 'always' });
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const tree of positionals.map((p) => resolve(p))) {
      const port = await freePort();
      const poll = new ServiceProcess({
        name: 'poll',
        entry: `${tree}/services/poll/dist/server.js`,
        cwd: tree,
        port,
        opsPort: await freePort(),
        env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...redis.env, VOTES_STREAM: 'cpu-per-vote', COOKIE_SECRET: BENCH_COOKIE_SECRET, ...LIMITS_RAISED },
        output: () => undefined,
      });
      // An older checkout may serve /readyz on its public port only.
      await poll.ready(60_000).catch(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status !== 200) throw new Error(`poll of ${tree} is not ready`);
      });
      const load = { host: '127.0.0.1', port, path: '/api/polls/default/votes', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"option":"a"}', connections: 50, sourceAddressPerConnection: true };
      await generate({ ...load, durationS: 2 });
      const [poll0, redis0] = [cpuSeconds(poll.pid) ?? 0, cpuSeconds(redis.pid) ?? 0];
      const run = await generate({ ...load, durationS: Number(values.seconds) });
      const [poll1, redis1] = [cpuSeconds(poll.pid) ?? 0, cpuSeconds(redis.pid) ?? 0];
      const votes = run.ok + run.non2xx;
      const us = (s: number) => ((s / Math.max(1, votes)) * 1e6).toFixed(1);
      console.log(
        `${basename(tree)} round ${round + 1}: ${Math.round(run.okPerSecond)} votes/s, p99 ${run.latencyMs.p99} ms, ` +
          `${run.non2xx} non-2xx; CPU per vote: poll ${us(poll1 - poll0)} µs, Redis ${us(redis1 - redis0)} µs`,
      );
      await poll.stop();
    }
  }
} finally {
  await redis.stop();
  rmSync(redis.dir, { recursive: true, force: true });
}
