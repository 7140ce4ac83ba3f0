/**
 * The load generator's own ceiling: the same run against the bare server (bare-server.ts,
 * in its own process) instead of poll. Whatever poll reaches below this number is poll's;
 * above it the generator would be the limit.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadHooks, type LoadOptions, type LoadReport } from './runner.js';

export async function measureCeiling(load: Omit<LoadOptions, 'pollUrls' | 'resultUrl'>, hooks: LoadHooks = {}): Promise<LoadReport> {
  const entry = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './bare-server.ts' : './bare-server.js', import.meta.url));
  const child = spawn(process.execPath, [entry], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the bare server exited (${code})`)));
      createInterface({ input: child.stdout }).once('line', (line) => resolve(Number(line)));
    });
    const url = `http://127.0.0.1:${port}`;
    return await runLoad({ ...load, pollUrls: [url], resultUrl: url, verify: false, visibility: false }, hooks);
  } finally {
    child.kill('SIGTERM');
  }
}
