/**
 * The HTTP load generator for the poll benchmark: autocannon (a root dev dependency), run as
 * its own process so it never shares an event loop with the bench runner, with its JSON
 * output parsed. The same invocation drives poll and the bare node:http server.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { cpuSeconds } from './cpu.js';

export interface CannonOptions {
  url: string;
  connections: number;
  durationS: number;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  /** Replace `[<id>]` in the request (headers included) with a fresh id per request (autocannon -I). */
  idReplacement?: boolean;
}

export interface CannonResult {
  /** 2xx answers per second over the run. */
  okPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  durationS: number;
  /** Cores the generator itself used while it ran (from /proc, sampled). */
  generatorCores: number;
}

function bin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');
}

export function cannonArgs(o: Omit<CannonOptions, 'url'>): string[] {
  const args = ['-c', String(o.connections), '-d', String(o.durationS)];
  if (o.method) args.push('-m', o.method);
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (o.body !== undefined) args.push('-b', o.body);
  if (o.idReplacement) args.push('-I');
  return args;
}

/** The command as a reader would type it; `url` may be a placeholder like `<poll>`. */
export function cannonCommand(o: Omit<CannonOptions, 'url'>, url: string): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return ['npx autocannon', ...cannonArgs(o).map(quote), url].join(' ');
}

export async function autocannon(o: CannonOptions): Promise<CannonResult> {
  const child = spawn(process.execPath, [bin(), ...cannonArgs(o), '--json', '--no-progress', o.url], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const t0 = performance.now();
  let generatorCpu = 0;
  const sampler = setInterval(() => (generatorCpu = cpuSeconds(child.pid) ?? generatorCpu), 100);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  const wall = (performance.now() - t0) / 1000;
  const line = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`autocannon failed (exit ${code}): ${err.trim() || out.trim()}`);
  const r = JSON.parse(line) as {
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
    duration: number;
    latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  };
  return {
    okPerSecond: r['2xx'] / r.duration,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
    durationS: r.duration,
    generatorCores: generatorCpu / Math.max(0.001, wall),
  };
}
