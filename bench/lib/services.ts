/**
 * Starts one Bernstein service as its own process for a benchmark, from the built `dist/`
 * (what production runs) or, for the smoke run in tests, from `src/` under tsx. With a
 * profile directory, the service is CPU-profiled and writes its profile on exit.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, REPO_ROOT, ServiceProcess, type ServiceName } from '@bernstein/local';

export interface ServiceStartOptions {
  service: ServiceName;
  name?: string;
  env: Record<string, string | undefined>;
  fromSource: boolean;
  /** Write a CPU profile into `<profileDir>/<name>/` when the process exits. */
  profileDir?: string | undefined;
  /** Extra Node flags for the service. */
  nodeOptions?: string;
  /** Lines the service prints (warnings only, LOG_LEVEL=warn). */
  output?: (name: string, line: string) => void;
}

export async function startService(o: ServiceStartOptions): Promise<ServiceProcess> {
  const entry = join(REPO_ROOT, 'services', o.service, o.fromSource ? 'src/server.ts' : 'dist/server.js');
  const nodeOptions = [o.fromSource ? (process.env.NODE_OPTIONS ?? '--conditions=source --import=tsx') : '', o.nodeOptions ?? ''];
  const profileEnv: Record<string, string> = {};
  if (o.profileDir) {
    const dir = join(o.profileDir, o.name ?? o.service);
    mkdirSync(dir, { recursive: true });
    Object.assign(profileEnv, profilingEnv(dir));
    nodeOptions.push(profileEnv.NODE_OPTIONS as string);
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
      ...profileEnv,
      NODE_OPTIONS: nodeOptions.join(' ').trim(),
    },
    port: await freePort(),
    // poll and result serve /readyz and /metrics on their ops port; the worker's one port is its ops port.
    ...(o.service === 'worker' ? {} : { opsPort: await freePort() }),
    cwd: REPO_ROOT,
    output: o.output ?? serviceOutput,
  });
  await proc.ready(60_000);
  return proc;
}

/**
 * Node 20 refuses --cpu-prof in NODE_OPTIONS, and services are spawned by others (the local
 * stack) without extra arguments; a preload through `--import` profiles the process instead.
 */
export function profilingEnv(dir: string): Record<string, string> {
  const preload = fileURLToPath(new URL('./cpu-profile-preload.mjs', import.meta.url));
  return { BERNSTEIN_CPU_PROFILE_DIR: dir, NODE_OPTIONS: `--import=${preload}` };
}

/** A service's own lines (LOG_LEVEL=warn), minus Node's repeated deprecation notices. */
export function serviceOutput(name: string, line: string): void {
  if (/FSTDEP|--trace-warnings/.test(line)) return;
  process.stderr.write(`  [${name}] ${line}\n`);
}

