/**
 * End to end: the whole local system (one poll, one worker, one result; the shared private
 * Redis and PostgreSQL) under `bernstein load` at 1,000 and 5,000 votes/s; the generator
 * follows the results SSE stream and measures vote → visible latency, then verifies the
 * tallies exactly. Also the idle RSS of each service (the stack at rest) and its peak during
 * the 5,000 votes/s run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { LocalStack } from '@bernstein/local';
import { BENCH_COOKIE_SECRET, type BenchContext } from '../lib/context.js';
import { bernsteinLoad } from '../lib/load-cli.js';
import { startBareServer } from '../lib/bare-server.js';
import { RssSampler, rssMB, rssParts } from '../lib/rss.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { profilingEnv, serviceOutput } from '../lib/services.js';
import { targets } from '../lib/targets.js';

export async function e2eBenchmark(ctx: BenchContext): Promise<void> {
  const r = ctx.recorder;
  const durationS = ctx.smoke ? 1 : 20;
  const rates = ctx.smoke ? [100] : [1000, 5000];
  const work = mkdtempSync(join(tmpdir(), 'bernstein-bench-e2e-'));
  const db = new pg.Client(ctx.postgres.connection);
  await db.connect();
  await db.query('TRUNCATE votes, tallies');
  await db.end();
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...ctx.redis.env,
    ...ctx.postgres.env,
    LOG_LEVEL: 'warn',
    VOTES_STREAM: 'bench-e2e',
    COOKIE_SECRET: BENCH_COOKIE_SECRET,
    NODE_OPTIONS: `${ctx.fromSource ? (process.env.NODE_OPTIONS ?? '') : ''} ${ctx.serviceNodeOptions}`.trim(),
  };
  if (ctx.profileDir) {
    const p = profilingEnv(join(ctx.profileDir, 'e2e'));
    env.BERNSTEIN_CPU_PROFILE_DIR = p.BERNSTEIN_CPU_PROFILE_DIR;
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} ${p.NODE_OPTIONS}`.trim();
  }
  const stack = await LocalStack.start({
    dataDir: work,
    env,
    fromSource: ctx.fromSource,
    output: (name, line) => {
      if (name !== 'local' && name !== 'migrate') serviceOutput(name, line);
    },
  });
  const runs: Record<string, unknown> = {};
  try {
    const services = stack.services.map((s) => ({ name: s.name, pid: s.pid }));
    // V8 gives back the young generation it grew while loading modules only once the process
    // has been quiet for a while (its memory reducer; seen here after 10 to 25 s): idle means
    // settled, read 45 s after start.
    // The floor for comparison: a bare node:http server, idle for the same time.
    const bare = await startBareServer(ctx.fromSource);
    await sleep(ctx.smoke ? 300 : 3000);
    const early = new Map(services.map((s) => [s.name, rssMB(s.pid) ?? 0]));
    await sleep(ctx.smoke ? 0 : 42_000);
    const bareParts = rssParts(bare.pid);
    r.add({
      id: 'ceiling.node.idleRss',
      label: 'bare node:http server RSS, idle (the same time after start)',
      value: rssMB(bare.pid) ?? 0,
      unit: 'MB',
      kind: 'ceiling',
      command: 'npm run bench -- e2e  # packages/load/src/bare-server.ts',
      note: `anonymous ${bareParts?.anonMB} MB, file-backed ${bareParts?.fileMB} MB`,
    });
    await bare.stop();
    for (const s of services) {
      const parts = rssParts(s.pid);
      r.add({
        id: `rss.${s.name}.idle`,
        label: `${s.name} RSS, idle (local system at rest, ${ctx.smoke ? 0.3 : 45} s after start)`,
        value: rssMB(s.pid) ?? 0,
        unit: 'MB',
        kind: 'ours',
        command: 'npm run bench -- e2e',
        target: targets.idleRssMB,
        ceilings: ['ceiling.node.idleRss'],
        note: `anonymous ${parts?.anonMB} MB (heap, malloc), file-backed ${parts?.fileMB} MB (mostly the node binary, shared); ${early.get(s.name)} MB ${ctx.smoke ? 0.3 : 3} s after start`,
      });
    }
    for (const rate of rates) {
      const concurrency = rate >= 5000 ? 128 : 64;
      const args = [
        '--poll-url', stack.pollUrls[0] as string,
        '--result-url', stack.resultUrl,
        '--rate', String(rate),
        '--duration', String(durationS),
        '--voters', String(rate * durationS),
        '--concurrency', String(concurrency),
      ];
      const shown = ['bernstein load', '--poll-url', '<poll>', '--result-url', '<result>', ...args.slice(4)].join(' ');
      ctx.log(`e2e: ${shown}`);
      const samplers = services.map((s) => ({ name: s.name, sampler: new RssSampler(s.pid) }));
      const report = await bernsteinLoad(args, join(work, `load-${rate}.json`), ctx.fromSource);
      runs[`rate${rate}`] = report;
      const v = report.visibleLatencyMs;
      if (!report.ok) ctx.log(`e2e: bernstein load reports a failed verification at ${rate}/s: ${JSON.stringify(report.verification)}`);
      const at = `${rate.toLocaleString('en-US')} votes/s`;
      r.add({ id: `e2e.r${rate}.acknowledgedPerSecond`, label: `e2e at ${at}: votes/s acknowledged`, value: report.acknowledgedPerSecond, unit: 'votes/s', kind: 'ours', command: shown });
      r.add({ id: `e2e.r${rate}.verified`, label: `e2e at ${at}: tallies equal the acknowledged votes (1 = yes)`, value: report.ok ? 1 : 0, unit: '', kind: 'ours', command: shown });
      for (const p of ['p50', 'p95', 'p99', 'max'] as const) {
        r.add({
          id: `e2e.r${rate}.visible.${p}`,
          label: `e2e at ${at}: vote → visible ${p}`,
          value: v ? v[p] : Number.NaN,
          unit: 'ms',
          kind: 'ours',
          command: shown,
          ...(p === 'p99' && rate === 1000 ? { target: targets.e2eP99Ms } : {}),
        });
      }
      if (rate === rates[rates.length - 1]) {
        for (const s of samplers) r.add({ id: `rss.${s.name}.loaded`, label: `${s.name} RSS, peak during e2e at ${at}`, value: s.sampler.stop(), unit: 'MB', kind: 'ours', command: shown });
      } else for (const s of samplers) s.sampler.stop();
    }
    r.details.e2e = { durationS, runs, stack: 'one poll, one worker (BATCH_SIZE 500), one result, from dist/' };
  } finally {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
