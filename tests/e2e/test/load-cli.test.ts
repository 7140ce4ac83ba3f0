/**
 * What CI runs as "bernstein load verifies exactly-once against the local run": the local
 * runner (up) as a process, then the `bernstein-load` command as a process against it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '@bernstein/local';
import type { LoadReport } from '@bernstein/load';

const UP = fileURLToPath(new URL('../../../packages/local/src/up.ts', import.meta.url));
const LOAD = fileURLToPath(new URL('../../../packages/load/src/bin.ts', import.meta.url));

function run(file: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit, output: () => out };
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('bernstein load against the local run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bernstein-load-cli-'));
  chmodSync(dir, 0o755); // PostgreSQL (as the postgres user when we are root) must reach its data below
  let up: { child: ChildProcess; exit: Promise<number | null> } | undefined;
  after(async () => {
    if (up && up.child.exitCode === null) {
      up.child.kill('SIGINT');
      await up.exit;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies exactly-once and exits 0, with a JSON report', async () => {
    const pollPort = await freePort();
    const resultPort = await freePort();
    const local = run(UP, [], {
      BERNSTEIN_DATA_DIR: join(dir, 'data'),
      POLL_PORT: String(pollPort),
      RESULT_PORT: String(resultPort),
      WORKER_PORT: String(await freePort()),
      LOCAL_REDIS_PORT: String(await freePort()),
      LOCAL_POSTGRES_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    });
    up = local;
    await until('the local run', () => local.output().includes('Ctrl-C stops everything') || local.child.exitCode !== null);
    assert.match(local.output(), /Ctrl-C stops everything/);

    const reportFile = join(dir, 'report.json');
    const load = run(LOAD, [
      '--poll-url', `http://127.0.0.1:${pollPort}`,
      '--result-url', `http://127.0.0.1:${resultPort}`,
      '--duration', '3',
      '--rate', '500',
      '--voters', '300',
      '--revote-share', '0.3',
      '--report', reportFile,
    ]);
    assert.equal(await load.exit, 0, load.output());
    assert.match(load.output(), /exactly once: OK — 0 lost, 0 double-counted/);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as LoadReport;
    assert.equal(report.ok, true);
    // At least a second's worth of the asked 500/s (three test files share two cores, so the
    // full 1,500 is not always reached), none refused for good, none of unknown fate.
    assert.ok(report.acknowledged >= 500, `acknowledged ${report.acknowledged} of ${report.sent} sent`);
    assert.equal(report.rejected, 0, `rejected: ${JSON.stringify(report.rejectedBy)}`);
    assert.equal(report.abandoned, 0, 'no vote of unknown fate');
    assert.ok(report.reVotes > 0);
    assert.equal(report.verification.missing, 0);
    assert.equal(report.verification.extra, 0);
    assert.ok(report.visibleLatencyMs && report.visibleLatencyMs.count > 0, 'vote → visible latency was measured');
  });

  it('rejects bad options and an unreachable system with exit 2 and says which', async () => {
    const bad = run(LOAD, ['--rate', 'fast']);
    assert.equal(await bad.exit, 2);
    assert.match(bad.output(), /--rate "fast": expected a number ≥ 0/);
    const port = await freePort(); // nothing listens there
    const nowhere = run(LOAD, ['--poll-url', `http://127.0.0.1:${port}`, '--duration', '1']);
    assert.equal(await nowhere.exit, 2);
    assert.match(nowhere.output(), new RegExp(`cannot reach poll at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); is the system running`));
  });
});
