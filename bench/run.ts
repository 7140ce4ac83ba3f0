/**
 * `npm run bench [-- <name>…] [--smoke] [--out DIR] [--from-source] [--profile] [--service-node-options FLAGS] [--render-only]`
 *
 * Starts a private Redis (AOF, appendfsync always, as shipped) and PostgreSQL (fsync on), runs the named
 * benchmarks (all when none is named) against services started from `dist/`, each measuring
 * the machine's ceiling in the same run, writes `<out>/<name>.json`, then renders the table
 * and the chart from every result file in `<out>` (and, for bench/results, into
 * bench/README.md).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PostgresServer, RedisServer, REPO_ROOT } from '@bernstein/local';
import { e2eBenchmark } from './benchmarks/e2e.js';
import { pollBenchmark } from './benchmarks/poll.js';
import { resultBenchmark } from './benchmarks/result.js';
import { workerBenchmark } from './benchmarks/worker.js';
import type { BenchContext } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { Recorder, type BenchResult } from './lib/record.js';
import { summarizeProfiles } from './report/profile.js';
import { renderAll } from './report/render.js';

const BENCHMARKS = {
  poll: pollBenchmark,
  worker: workerBenchmark,
  e2e: e2eBenchmark,
  result: resultBenchmark,
} as const;
type Name = keyof typeof BENCHMARKS;

export const RESULTS_DIR = join(REPO_ROOT, 'bench/results');
/** File descriptors the result benchmark needs in this process (one per SSE client, plus slack). */
const WANTED_FDS = 16_000;

function usage(): string {
  return `Usage: npm run bench [-- <${Object.keys(BENCHMARKS).join('|')}>…] [--smoke] [--out DIR] [--from-source] [--profile]\n`;
}

/** Re-runs this process under a raised `ulimit -n` when the soft limit is too low for the SSE clients. */
function ensureFileLimit(): void {
  const soft = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isFinite(soft) || soft >= WANTED_FDS || process.env.BERNSTEIN_BENCH_ULIMIT) return;
  const args = [...process.execArgv, ...process.argv.slice(1)].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawnSync('sh', ['-c', `ulimit -n ${WANTED_FDS} 2>/dev/null || ulimit -n $(ulimit -Hn); exec '${process.execPath}' ${args}`], {
    stdio: 'inherit',
    env: { ...process.env, BERNSTEIN_BENCH_ULIMIT: '1' },
  });
  process.exit(child.status ?? 1);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        smoke: { type: 'boolean' },
        out: { type: 'string' },
        'from-source': { type: 'boolean' },
        profile: { type: 'boolean' },
        'service-node-options': { type: 'string' },
        'render-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${usage()}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(usage());
    return 0;
  }
  const unknown = positionals.filter((p) => !(p in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')}\n${usage()}`);
    return 2;
  }
  const names = (positionals.length > 0 ? positionals : Object.keys(BENCHMARKS)) as Name[];
  const smoke = values.smoke ?? false;
  const serviceNodeOptions = values['service-node-options'] ?? '';
  const out = resolve(values.out ?? (smoke ? join(REPO_ROOT, 'bench/.work/smoke') : RESULTS_DIR));
  if (smoke && out === RESULTS_DIR) {
    process.stderr.write('bench: a smoke run never writes into bench/results (its figures mean nothing); give another --out\n');
    return 2;
  }
  mkdirSync(out, { recursive: true });
  const readme = out === RESULTS_DIR ? join(REPO_ROOT, 'bench/README.md') : join(out, 'README.md');
  if (values['render-only']) {
    renderAll(out, { readme });
    process.stderr.write(`bench: rendered ${join(out, 'chart.svg')} and ${readme}\n`);
    return 0;
  }
  if (names.includes('result')) ensureFileLimit();

  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const machine = describeMachine();
  log(`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, load ${machine.loadAverage}, commit ${machine.commit}${machine.dirty ? ' (dirty)' : ''}`);
  if (!smoke && machine.loadAverage > machine.cores / 2) {
    log(`warning: load average ${machine.loadAverage} on ${machine.cores} cores: other work shares the machine and the figures will show it (recorded in the results)`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'bernstein-bench-servers-'));
  // As root, PostgreSQL runs as the postgres user, which must be able to reach its directory.
  chmodSync(scratch, 0o755);
  const profileDir = values.profile ? join(REPO_ROOT, 'bench/.work/profiles', new Date().toISOString().replace(/[:.]/g, '-')) : undefined;
  const redis = await RedisServer.start({ dir: join(scratch, 'redis'), appendfsync: 'always' });
  let postgres: PostgresServer | undefined;
  let failed = 0;
  try {
    postgres = await PostgresServer.start({ dir: join(scratch, 'postgres'), durable: true });
    const { Database, migrate } = await import('@bernstein/common');
    const { pino } = await import('pino');
    const db = new Database({ postgresHost: postgres.host, postgresPort: postgres.port, postgresDb: postgres.connection.database, postgresUser: postgres.connection.user, postgresPassword: postgres.connection.password, postgresPoolSize: 1 }, pino({ level: 'warn' }), 'bench-migrate');
    await migrate(db, pino({ level: 'warn' }));
    await db.close();
    const args = [...(smoke ? ['--smoke'] : []), ...(positionals.length > 0 ? names : []), ...(serviceNodeOptions ? [`--service-node-options='${serviceNodeOptions}'`] : [])];
    const invocation = `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
    for (const name of names) {
      const recorder = new Recorder();
      const ctx: BenchContext = { redis, postgres, smoke, fromSource: values['from-source'] ?? false, profileDir, serviceNodeOptions, recorder, machineCores: machine.cores, log };
      const startedAt = new Date().toISOString();
      // The load when this benchmark started (other work on the machine skews its figures).
      const load = Math.round((loadavg()[0] ?? 0) * 100) / 100;
      log(`— ${name} —`);
      try {
        await BENCHMARKS[name](ctx);
      } catch (err) {
        failed++;
        log(`${name} failed: ${(err as Error).stack ?? String(err)}`);
        continue;
      }
      const result: BenchResult = { benchmark: name, smoke, invocation, machine: { ...machine, loadAverage: load }, serviceNodeOptions, startedAt, finishedAt: new Date().toISOString(), figures: recorder.figures, details: recorder.details };
      writeFileSync(join(out, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
      for (const f of recorder.figures) log(`  ${f.label}: ${f.value} ${f.unit}${f.pass === undefined ? '' : f.pass ? '  (target met)' : '  (target MISSED)'}`);
    }
  } finally {
    await postgres?.stop();
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  renderAll(out, { readme });
  if (profileDir) log(`profiles: ${summarizeProfiles(profileDir, join(out, 'profiles.md'))}`);
  log(`results in ${out}`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
