/**
 * The CI smoke run: every benchmark at tiny size, from sources, into a temporary directory.
 * It proves the scripts still run end to end and write results of the documented shape;
 * it asserts nothing about speed (figures from a tiny run on a shared machine mean nothing).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '@bernstein/local';
import type { BenchResult } from '../lib/record.js';

const out = mkdtempSync(join(tmpdir(), 'bernstein-bench-smoke-'));
let exit: number | null = null;
let stderr = '';

describe('npm run bench -- --smoke', () => {
  before(async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import=tsx', 'bench/run.ts', '--smoke', '--from-source', '--out', out], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    exit = await new Promise((resolve) => child.on('exit', resolve));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('exits 0', () => assert.equal(exit, 0, stderr.slice(-4000)));

  for (const name of ['poll', 'worker', 'e2e', 'result']) {
    it(`writes ${name}.json with the machine and every figure's command`, () => {
      const r = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) as BenchResult;
      assert.equal(r.benchmark, name);
      assert.equal(r.smoke, true);
      for (const key of ['cpuModel', 'os', 'node', 'redis', 'postgres', 'commit', 'date'] as const) {
        assert.equal(typeof r.machine[key], 'string', key);
        assert.ok(r.machine[key].length > 0, key);
      }
      assert.ok(r.machine.cores > 0 && r.machine.memoryGiB > 0);
      assert.match(r.machine.redis, /Redis server/);
      assert.match(r.machine.postgres, /PostgreSQL/);
      assert.ok(r.figures.length > 0);
      for (const f of r.figures) {
        assert.match(f.id, /^[\w.]+$/);
        assert.ok(f.label.length > 0 && f.command.length > 0, f.id);
        assert.ok(Number.isFinite(f.value), `${f.id} = ${f.value}`);
        assert.ok(f.kind === 'ours' || f.kind === 'ceiling', f.id);
        if (f.target) assert.equal(typeof f.pass, 'boolean', f.id);
      }
    });
  }

  it('measures ours and the ceiling in the same run', () => {
    const ids = ['poll', 'worker', 'e2e', 'result'].flatMap(
      (n) => (JSON.parse(readFileSync(join(out, `${n}.json`), 'utf8')) as BenchResult).figures.map((f) => f.id),
    );
    for (const id of [
      'poll.c50.votesPerSecond', 'poll.c50.p99', 'bare.c50.requestsPerSecond', 'poll.c200.votesPerSecond', 'bare.c200.requestsPerSecond',
      'worker.b1.r0.votesPerSecond', 'worker.b1000.r50.votesPerSecond', 'ceiling.redis.xadd', 'ceiling.redis.xreadgroup.b1000', 'ceiling.postgres.copy',
      'e2e.r100.visible.p99', 'rss.poll.idle', 'rss.worker.idle', 'rss.result.idle',
      'result.sseClientsHeld', 'result.memoryPerClient',
    ]) {
      assert.ok(ids.includes(id), `missing figure ${id}`);
    }
  });

  it('verifies the end-to-end tallies exactly and holds every SSE client', () => {
    const e2e = JSON.parse(readFileSync(join(out, 'e2e.json'), 'utf8')) as BenchResult;
    assert.equal(e2e.figures.find((f) => f.id === 'e2e.r100.verified')?.value, 1);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as BenchResult;
    const details = result.details.result as { attempted: number; connected: number };
    assert.equal(result.figures.find((f) => f.id === 'result.sseClientsHeld')?.value, details.attempted);
    assert.equal(result.figures.find((f) => f.id === 'result.sseClientsHeadroom')?.value, details.connected);
    assert.ok(details.connected >= details.attempted);
  });

  it('renders the chart and the table', () => {
    assert.ok(existsSync(join(out, 'chart.svg')));
    assert.match(readFileSync(join(out, 'chart.svg'), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const md = readFileSync(join(out, 'README.md'), 'utf8');
    assert.match(md, /\| Measurement \| Target \| Measured \| Ceiling, same run \| Result \|/);
    assert.match(md, /SMOKE RUN/);
  });
});
