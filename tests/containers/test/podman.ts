/**
 * Podman for the container tests: the same fixed configuration and storage directory as the
 * scripts in deploy/containers (env.sh), so stand-in base images and build layers survive
 * between runs, and the decision whether these tests can run here.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A TCP port free on 127.0.0.1 right now (for publishing a container port), below the ephemeral range. */
export { freePort } from '@bernstein/local';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const scriptsDir = `${repoRoot}deploy/containers/`;

const containersDir = process.env.BERNSTEIN_CONTAINERS_DIR ?? '/var/tmp/bernstein-containers';
export const podmanEnv: NodeJS.ProcessEnv = {
  ...process.env,
  BERNSTEIN_CONTAINERS_DIR: containersDir,
  CONTAINERS_CONF: `${containersDir}/containers.conf`,
  CONTAINERS_STORAGE_CONF: `${containersDir}/storage.conf`,
  // The services' test runner adds tsx to NODE_OPTIONS; the scripts run plain node.
  NODE_OPTIONS: '',
};

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws for a non-zero exit (callers assert on it). */
export function run(file: string, args: string[], timeoutMs = 170_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: podmanEnv, cwd: repoRoot, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() || (err?.message ?? '') });
      },
    );
  });
}

export function podman(args: string[], timeoutMs?: number): Promise<RunResult> {
  return run('podman', args, timeoutMs);
}

/** Like podman(), but throws with podman's own message when it fails. */
export async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const r = await podman(args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * Whether podman works here. On CI (env CI set) a missing or broken podman is a failure, so
 * the container tests cannot silently vanish; elsewhere the tests are skipped with the reason.
 */
export async function podmanAvailability(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const r = await podman(['info', '--format', '{{.Host.OCIRuntime.Name}}'], 30_000);
  const writable = writableOrAbsent(containersDir);
  if (r.code === 0 && writable) return { ok: true };
  const reason = !writable
    ? `${containersDir} (the podman storage of deploy/containers) is not writable by this user: ` +
      'the container tests run as the user that ran deploy/containers/ci-setup.sh (root on CI), ' +
      'or set BERNSTEIN_CONTAINERS_DIR to a directory of your own'
    : `podman is not usable here (${r.stderr.trim().split('\n')[0] ?? 'no output'}); ` +
      'run deploy/containers/ci-setup.sh as root to install and configure it';
  if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
    throw new Error(`CI is set, so the container tests must run: ${reason}`);
  }
  return { ok: false, reason };
}

/** True when this user can write `dir`, or it does not exist yet (the setup script makes it). */
function writableOrAbsent(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return !existsSync(dir);
  }
}

/** Retries `probe` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last instanceof Error ? String(last) : JSON.stringify(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
