/**
 * poll: votes/s accepted and p50/p99 latency at 50 and 200 connections, one poll process
 * against the private Redis (AOF, appendfsync always); in the same run and with the same generator
 * (autocannon), the bare node:http server as the ceiling. Every request carries no cookie,
 * so every vote is a new voter (poll signs a fresh cookie each time: its most expensive path).
 *
 * With the vote limits on, as shipped (300 new voters a minute per client address): every
 * request comes from its own client address, as votes from many voters behind a proxy do.
 * poll trusts the generator's address as a proxy (TRUSTED_PROXIES=127.0.0.1), and autocannon
 * writes a fresh id into X-Forwarded-For for each request (`-I`, `[<id>]`), so each vote is
 * charged to a client of its own: the limiter's worst case (one new Redis key per vote).
 */
import { Redis } from '@bernstein/common';
import type { BenchContext } from '../lib/context.js';
import { BENCH_COOKIE_SECRET } from '../lib/context.js';
import { autocannon, cannonCommand, type CannonOptions, type CannonResult } from '../lib/autocannon.js';
import { startBareServer } from '../lib/bare-server.js';
import { CpuMeter } from '../lib/cpu.js';
import { RssSampler } from '../lib/rss.js';
import { startService } from '../lib/services.js';
import { targets } from '../lib/targets.js';

const PATH = '/api/polls/default/votes';
const STREAM = 'bench-poll';

export async function pollBenchmark(ctx: BenchContext): Promise<void> {
  const durationS = ctx.smoke ? 1 : 10;
  const warmupS = ctx.smoke ? 0 : 2;
  const connections = [50, 200];
  const poll = await startService({
    service: 'poll',
    env: { ...ctx.redis.env, VOTES_STREAM: STREAM, COOKIE_SECRET: BENCH_COOKIE_SECRET, TRUSTED_PROXIES: '127.0.0.1' },
    fromSource: ctx.fromSource,
    profileDir: ctx.profileDir,
    nodeOptions: ctx.serviceNodeOptions,
  });
  const bare = await startBareServer(ctx.fromSource);
  const r = ctx.recorder;
  try {
    const sampler = new RssSampler(poll.pid);
    const runs: Record<string, { ours: CannonResult; bare: CannonResult; cores: Record<string, Record<string, number>> }> = {};
    for (const c of connections) {
      const base: Omit<CannonOptions, 'url'> = {
        connections: c,
        durationS,
        method: 'POST',
        // The trailing space keeps autocannon's argument parser (subarg) from reading the
        // value's closing bracket as the end of a sub-argument; HTTP trims it.
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '[<id>] ' },
        body: '{"option":"a"}',
        idReplacement: true,
      };
      if (warmupS > 0) {
        await autocannon({ ...base, durationS: warmupS, url: bare.url + PATH });
        await autocannon({ ...base, durationS: warmupS, url: poll.url + PATH });
      }
      const ours = cannonCommand(base, `http://127.0.0.1:<poll>${PATH}`);
      const ceiling = cannonCommand(base, `http://127.0.0.1:<bare>${PATH}`);
      ctx.log(`poll: bare node:http, ${c} connections, ${durationS} s`);
      const bareCpu = new CpuMeter({ server: bare.pid });
      bareCpu.start();
      const b = await autocannon({ ...base, url: bare.url + PATH });
      const bareCores = bareCpu.stop();
      ctx.log(`poll: poll service, ${c} connections, ${durationS} s`);
      const pollCpu = new CpuMeter({ poll: poll.pid, redis: ctx.redis.pid });
      pollCpu.start();
      const o = await autocannon({ ...base, url: poll.url + PATH });
      const pollCores = pollCpu.stop();
      runs[`c${c}`] = { ours: o, bare: b, cores: { ours: { ...pollCores, autocannon: o.generatorCores }, bare: { ...bareCores, autocannon: b.generatorCores } } };
      const cores = (x: number) => Math.round(x * 100) / 100;
      r.add({
        id: `poll.c${c}.cores.poll`,
        label: `poll, ${c} connections: cores used by poll (Redis ${cores(pollCores.redis ?? 0)}, autocannon ${cores(o.generatorCores)}; of ${ctx.machineCores})`,
        value: pollCores.poll ?? 0,
        unit: 'cores',
        kind: 'ours',
        command: ours,
      });
      r.add({
        id: `bare.c${c}.cores.server`,
        label: `bare node:http, ${c} connections: cores used by the server (autocannon ${cores(b.generatorCores)}; of ${ctx.machineCores})`,
        value: bareCores.server ?? 0,
        unit: 'cores',
        kind: 'ceiling',
        command: ceiling,
      });
      if (o.non2xx + o.errors + o.timeouts > 0) ctx.log(`poll: ${o.non2xx} non-2xx, ${o.errors} errors, ${o.timeouts} timeouts at ${c} connections`);
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
    r.details.poll = { generator: 'autocannon (separate process, 1 thread)', durationS, warmupS, runs };
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
