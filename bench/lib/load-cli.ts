/**
 * Runs `bernstein load` (packages/load) as its own process, exactly as a user would, and
 * reads the JSON report it writes. Built entry when present, else the sources under tsx.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@bernstein/local';

export interface LoadCliReport {
  ok: boolean;
  acknowledged: number;
  acknowledgedPerSecond: number;
  rejected: number;
  abandoned: number;
  requestLatencyMs: { p50: number; p95: number; p99: number; max: number } | null;
  visibleLatencyMs: { count: number; p50: number; p95: number; p99: number; max: number } | null;
  verification: { ok: boolean; missing: number; extra: number };
}

export async function bernsteinLoad(args: string[], reportFile: string, fromSource: boolean): Promise<LoadCliReport> {
  const dist = join(REPO_ROOT, 'packages/load/dist/bin.js');
  const useDist = !fromSource && existsSync(dist);
  const entry = useDist ? [dist] : ['--conditions=source', '--import=tsx', join(REPO_ROOT, 'packages/load/src/bin.ts')];
  const child = spawn(process.execPath, [...entry, ...args, '--report', reportFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (!existsSync(reportFile)) throw new Error(`bernstein load ${args.join(' ')} failed (exit ${code}): ${err.trim()}`);
  return JSON.parse(readFileSync(reportFile, 'utf8')) as LoadCliReport;
}
