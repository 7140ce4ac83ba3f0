/**
 * Starts one Bernstein service as its own process for a benchmark, from the built `dist/`
 * (what production runs) or, for the smoke run in tests, from `src/` under tsx. With a
 * profile directory, the service runs under `--cpu-prof` and writes its profile on exit.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, REPO_ROOT, ServiceProcess, type ServiceName } from '@bernstein/local';

export interface ServiceStartOptions {
  service: ServiceName;
  name?: string;
  env: Record<string, string | undefined>;
  fromSource: boolean;
  /** Write a CPU profile (`--cpu-prof`) into `<profileDir>/<name>/` when the process exits. */
  profileDir?: string | undefined;
  /** Lines the service prints (warnings only, LOG_LEVEL=warn). */
  output?: (name: string, line: string) => void;
}

export async function startService(o: ServiceStartOptions): Promise<ServiceProcess> {
  const entry = join(REPO_ROOT, 'services', o.service, o.fromSource ? 'src/server.ts' : 'dist/server.js');
  const nodeOptions = [o.fromSource ? (process.env.NODE_OPTIONS ?? '--conditions=source --import=tsx') : ''];
  if (o.profileDir) {
    const dir = join(o.profileDir, o.name ?? o.service);
    mkdirSync(dir, { recursive: true });
    nodeOptions.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const proc = new ServiceProcess({
    name: o.name ?? o.service,
    entry,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      ...o.env,
      NODE_OPTIONS: nodeOptions.join(' ').trim(),
    },
    port: await freePort(),
    cwd: REPO_ROOT,
    output: o.output ?? serviceOutput,
  });
  await proc.ready(60_000);
  return proc;
}

/** A service's own lines (LOG_LEVEL=warn), minus Node's repeated deprecation notices. */
export function serviceOutput(name: string, line: string): void {
  if (/FSTDEP|--trace-warnings/.test(line)) return;
  process.stderr.write(`  [${name}] ${line}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
