/**
 * What a result was measured on: CPU, cores, memory, Node, the Redis and PostgreSQL
 * binaries, the commit and the date. Recorded with every result file, so a figure is never
 * read without the machine that produced it.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem, release, platform, arch } from 'node:os';
import { join } from 'node:path';
import { postgresBinDir, redisServerBinary, REPO_ROOT } from '@bernstein/local';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  redis: string;
  postgres: string;
  commit: string;
  /** Uncommitted changes in the tree when the run started. */
  dirty: boolean;
  date: string;
  /** 1-minute load average when the run started (other work on the machine skews figures). */
  loadAverage: number;
}

function firstLine(cmd: string, args: string[], cwd?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  const cpu = cpus();
  const status = firstLine('git', ['status', '--porcelain', '--untracked-files=no'], REPO_ROOT);
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    redis: firstLine(redisServerBinary(), ['--version']).replace(/ sha=.*$/, ''),
    postgres: firstLine(join(postgresBinDir(), 'postgres'), ['--version']),
    commit: firstLine('git', ['rev-parse', '--short=12', 'HEAD'], REPO_ROOT),
    dirty: status !== '' && status !== 'unknown',
    date: new Date().toISOString(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
