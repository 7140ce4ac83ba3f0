/**
 * The machine's ceilings for the worker's drain: redis-benchmark's XADD and XREADGROUP on the
 * same private Redis, and a bare PostgreSQL COPY of the same rows into a table shaped like
 * `votes` (primary key, no triggers), through psql.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onPath, type PostgresServer, type RedisServer } from '@bernstein/local';

const run = promisify(execFile);

export function redisBenchmarkBinary(): string {
  const bin = onPath('redis-benchmark');
  if (!bin) throw new Error('redis-benchmark was not found on PATH (Debian: apt-get install redis-tools)');
  return bin;
}

/** Runs redis-benchmark with `args` (a command and its arguments); returns requests/s. */
export async function redisBenchmark(redis: RedisServer, opts: { clients: number; requests: number }, command: string[]): Promise<{ rps: number; cmd: string }> {
  const args = ['-h', redis.host, '-p', String(redis.port), '-c', String(opts.clients), '-n', String(opts.requests), '-r', '100000000', '--csv', ...command];
  const { stdout } = await run(redisBenchmarkBinary(), args, { maxBuffer: 1 << 20 });
  // --csv: a header line, then "<test>","<rps>",…
  const line = stdout.trim().split('\n').find((l) => !l.startsWith('"test"'));
  const cols = (line ?? '').split(',').map((c) => c.replace(/"/g, ''));
  let rps = Number(cols[1]);
  // A run shorter than redis-benchmark's clock resolution (tiny smoke sizes) reports "inf";
  // the mean latency per client then gives the rate.
  if (cols[1] === 'inf' && Number(cols[2]) > 0) rps = (opts.clients * 1000) / Number(cols[2]);
  if (!Number.isFinite(rps) || rps <= 0) throw new Error(`cannot read redis-benchmark output: ${stdout}`);
  const quote = (a: string) => (/^[\w.:<>-]+$/.test(a) ? a : `'${a}'`);
  const cmd = ['redis-benchmark', '-p', '<redis>', '-c', String(opts.clients), '-n', String(opts.requests), '-r', '100000000', ...command.map(quote)].join(' ');
  return { rps, cmd };
}

/** COPY `rows` new votes into a fresh `bench_copy (LIKE votes INCLUDING ALL)`; returns rows/s. */
export async function copyCeiling(pg: PostgresServer, dir: string, rows: number): Promise<{ rowsPerSecond: number; cmd: string }> {
  const file = join(dir, 'copy-rows.csv');
  const now = Date.now();
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) lines.push(`default,copy${i.toString(36).padStart(16, '0')},${'abcd'[i % 4]},${now},${i},2026-01-01T00:00:00Z`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const env = { ...process.env, PGPASSWORD: pg.env.POSTGRES_PASSWORD };
  const conn = ['-h', pg.host, '-p', String(pg.port), '-U', pg.env.POSTGRES_USER as string, '-d', pg.env.POSTGRES_DB as string, '-v', 'ON_ERROR_STOP=1', '-q'];
  await run('psql', [...conn, '-c', 'DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (LIKE votes INCLUDING ALL)'], { env });
  const copy = `\\copy bench_copy (poll, voter, option, stream_ms, stream_seq, voted_at) FROM '${file}' WITH (FORMAT csv)`;
  const t0 = performance.now();
  await run('psql', [...conn, '-c', copy], { env });
  const seconds = (performance.now() - t0) / 1000;
  await run('psql', [...conn, '-c', 'DROP TABLE bench_copy'], { env });
  return {
    rowsPerSecond: rows / seconds,
    cmd: `psql -h 127.0.0.1 -p <postgres> -U bernstein -d bernstein -c "\\copy bench_copy (poll, voter, option, stream_ms, stream_seq, voted_at) FROM '<${rows} rows>.csv' WITH (FORMAT csv)"  # bench_copy = LIKE votes INCLUDING ALL`,
  };
}
