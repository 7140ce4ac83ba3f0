/**
 * The poll benchmark's ceiling: the bare node:http server of `bernstein load --ceiling`
 * (packages/load/src/bare-server.ts, answering 202 with a receipt and a cookie), started as
 * its own process from the built package, or from source under tsx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '@bernstein/local';

export interface BareServer {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function startBareServer(fromSource: boolean): Promise<BareServer> {
  const dist = join(REPO_ROOT, 'packages/load/dist/bare-server.js');
  const src = join(REPO_ROOT, 'packages/load/src/bare-server.ts');
  const useDist = !fromSource && existsSync(dist);
  const child: ChildProcess = spawn(process.execPath, useDist ? [dist] : ['--conditions=source', '--import=tsx', src], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '', PORT: '0' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bare server exited (${code})`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => resolve(Number(line)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
