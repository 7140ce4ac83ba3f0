/**
 * poll: votes/s accepted and p50/p99 latency at 50 and 200 connections, one poll process
 * against the private Redis (AOF, appendfsync always); in the same run and with the same
 * generator, the bare node:http server as the ceiling. Every request carries no cookie, so
 * every vote is a new voter (poll signs a fresh cookie each time: its most expensive path).
 *
 * Many client addresses: the generator (bench/lib/vote-generator.ts) binds each connection to
 * a source address of its own (127.1.0.1, 127.1.0.2, …), so poll sees 50 (or 200) distinct
 * peers, trusts no forwarded header (TRUSTED_PROXIES unset, as shipped), and charges every
 * new voter to its connection's address through the vote function (limit check + XADD in one
 * Redis call). At 15,000 votes/s that is 18,000 new voters a minute per address, far beyond
 * the shipped 300, so the new-voter limit is raised to its maximum here: the limiter does
 * all its work on every vote (read, compare, write its key), it just never refuses.
 */
import { Redis } from '@bernstein/common';
import type { BenchContext } from '../lib/context.js';
import { BENCH_COOKIE_SECRET } from '../lib/context.js';
import { generate, generatorCommand, type GeneratorOptions } from '../lib/vote-generator.js';
import { startBareServer } from '../lib/bare-server.js';
import { CpuMeter } from '../lib/cpu.js';
import { RssSampler } from '../lib/rss.js';
import { startService } from '../lib/services.js';
import { targets } from '../lib/targets.js';

const PATH = '/api/polls/default/votes';
/** The maxima the configuration allows (see the comment above). */
export const LIMITS_RAISED = { NEW_VOTERS_PER_MINUTE: '60000000', NEW_VOTERS_BURST: '100000' };
const STREAM = 'bench-poll';

export async function pollBenchmark(ctx: BenchContext): Promise<void> {
  // The smoke run proves the steps run; 0.3 s is enough for a few thousand votes.
  const durationS = ctx.smoke ? 0.3 : 10;
  const warmupS = ctx.smoke ? 0 : 2;
  const connections = [50, 200];
  const poll = await startService({
    service: 'poll',
    env: { ...ctx.redis.env, VOTES_STREAM: STREAM, COOKIE_SECRET: BENCH_COOKIE_SECRET, ...LIMITS_RAISED },
    fromSource: ctx.fromSource,
    profileDir: ctx.profileDir,
    nodeOptions: ctx.serviceNodeOptions,
  });
  const bare = await startBareServer(ctx.fromSource);
  const r = ctx.recorder;
  try {
    const sampler = new RssSampler(poll.pid);
    type Run = Awaited<ReturnType<typeof generate>>;
    const runs: Record<string, { ours: Run; bare: Run; cores: Record<string, Record<string, number>> }> = {};
    const target = (url: string) => ({ host: '127.0.0.1', port: Number(new URL(url).port) });
    for (const c of connections) {
      const base: Omit<GeneratorOptions, 'host' | 'port'> = {
        connections: c,
        durationS,
        method: 'POST',
        path: PATH,
        headers: { 'content-type': 'application/json' },
        body: '{"option":"a"}',
        sourceAddressPerConnection: true,
      };
      if (warmupS > 0) {
        await generate({ ...base, durationS: warmupS, ...target(bare.url) });
        await generate({ ...base, durationS: warmupS, ...target(poll.url) });
      }
      const ours = generatorCommand(base, '<poll>');
      const ceiling = generatorCommand(base, '<bare>');
      ctx.log(`poll: bare node:http, ${c} connections, ${durationS} s`);
      const bareCpu = new CpuMeter({ server: bare.pid });
      bareCpu.start();
      const b = await generate({ ...base, ...target(bare.url) });
      const bareCores = bareCpu.stop();
      ctx.log(`poll: poll service, ${c} connections, ${durationS} s`);
      const pollCpu = new CpuMeter({ poll: poll.pid, redis: ctx.redis.pid });
      pollCpu.start();
      const o = await generate({ ...base, ...target(poll.url) });
      const pollCores = pollCpu.stop();
      runs[`c${c}`] = { ours: o, bare: b, cores: { ours: { ...pollCores, generator: o.generatorCores }, bare: { ...bareCores, generator: b.generatorCores } } };
      const cores = (x: number) => Math.round(x * 100) / 100;
      r.add({
        id: `poll.c${c}.cores.poll`,
        label: `poll, ${c} connections: cores used by poll (Redis ${cores(pollCores.redis ?? 0)}, generator ${cores(o.generatorCores)}; of ${ctx.machineCores})`,
        value: pollCores.poll ?? 0,
        unit: 'cores',
        kind: 'ours',
        command: ours,
      });
      r.add({
        id: `bare.c${c}.cores.server`,
        label: `bare node:http, ${c} connections: cores used by the server (generator ${cores(b.generatorCores)}; of ${ctx.machineCores})`,
        value: bareCores.server ?? 0,
        unit: 'cores',
        kind: 'ceiling',
        command: ceiling,
      });
      if (o.non2xx + o.errors > 0) ctx.log(`poll: ${o.non2xx} non-2xx, ${o.errors} errors at ${c} connections`);
      const at50 = c === 50;
      r.add({ id: `poll.c${c}.votesPerSecond`, label: `poll, ${c} connections: votes/s accepted`, value: o.okPerSecond, unit: 'votes/s', kind: 'ours', command: ours, ceilings: [`bare.c${c}.requestsPerSecond`, 'ceiling.redis.xadd'], ...(at50 ? { target: targets.pollVotesPerSecond } : {}) });
      r.add({ id: `poll.c${c}.p50`, label: `poll, ${c} connections: p50 latency`, value: o.latencyMs.p50, unit: 'ms', kind: 'ours', command: ours });
      r.add({ id: `poll.c${c}.p99`, label: `poll, ${c} connections: p99 latency`, value: o.latencyMs.p99, unit: 'ms', kind: 'ours', command: ours, ceilings: [`bare.c${c}.p99`], ...(at50 ? { target: targets.pollP99Ms } : {}) });
      r.add({ id: `bare.c${c}.requestsPerSecond`, label: `bare node:http, ${c} connections: 202/s`, value: b.okPerSecond, unit: 'requests/s', kind: 'ceiling', command: ceiling });
      r.add({ id: `bare.c${c}.p50`, label: `bare node:http, ${c} connections: p50 latency`, value: b.latencyMs.p50, unit: 'ms', kind: 'ceiling', command: ceiling });
      r.add({ id: `bare.c${c}.p99`, label: `bare node:http, ${c} connections: p99 latency`, value: b.latencyMs.p99, unit: 'ms', kind: 'ceiling', command: ceiling });
      r.add({
        id: `poll.c${c}.shareOfBare`,
        label: `poll, ${c} connections: share of the bare server's rate`,
        value: (o.okPerSecond / Math.max(1, b.okPerSecond)) * 100,
        unit: '%',
        kind: 'ours',
        command: `${ours}  vs  ${ceiling}`,
        ceilings: [`bare.c${c}.requestsPerSecond`],
        ...(at50 ? { target: targets.pollShareOfBarePercent } : {}),
      });
    }
    r.add({ id: 'rss.poll.fullSpeed', label: 'poll RSS, peak at full speed (poll benchmark)', value: sampler.stop(), unit: 'MB', kind: 'ours', command: 'npm run bench -- poll' });
    r.details.poll = { generator: 'bench/lib/vote-generator.ts (separate process; one source address per connection)', durationS, warmupS, runs };
  } finally {
    await bare.stop();
    await poll.stop();
    // The next benchmarks share this Redis: leave no stream behind to grow its AOF.
    const redis = new Redis({ host: ctx.redis.host, port: ctx.redis.port, lazyConnect: true });
    await redis.connect();
    await redis.del(STREAM);
    redis.disconnect();
  }
}
