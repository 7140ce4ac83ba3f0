/**
 * The short chaos run: during a load, workers are SIGKILLed (and replaced) every few
 * seconds, Redis is SIGKILLed and restarted (AOF replay), PostgreSQL is stopped and
 * started; the tallies must still match every acknowledged vote exactly.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { defaultChaosOptions, defaultLoadOptions, runChaos } from '@bernstein/load';

describe('chaos run', () => {
  it('loses and duplicates nothing through worker kills, a Redis crash and a PostgreSQL restart', async (t) => {
    const report = await runChaos(
      { ...defaultLoadOptions, durationMs: 15_000, rate: 600, voters: 3000, revoteShare: 0.4, concurrency: 32, settleTimeoutMs: 30_000, quietMs: 10_000 },
      { ...defaultChaosOptions, fromSource: true, killEveryMs: 2500, workers: 2, redisAt: 0.25, redisDownMs: 1000, postgresAt: 0.55, postgresDownMs: 2500 },
    );
    const events = (report.chaos ?? []).map((e) => e.event);
    // The timeline, also when the run passes: how late the faults came and what was skipped.
    t.diagnostic(`load ${report.loadMs} ms; chaos: ${(report.chaos ?? []).map((e) => `${(e.atMs / 1000).toFixed(1)} s ${e.event}`).join(' | ')}`);
    const detail = `${JSON.stringify({ verification: report.verification, chaos: report.chaos, rejected: report.rejectedBy, abandoned: report.abandoned })}\nlogs in ${report.logDir}`;
    assert.ok(events.some((e) => /^SIGKILL a worker.*: done$/.test(e)), detail);
    assert.ok(events.includes('SIGKILL Redis, restart after 1000 ms: done'), detail);
    assert.ok(events.includes('stop PostgreSQL, restart after 2500 ms: done'), detail);
    // Enough votes to span the faults; not a throughput floor. With 32 votes in flight, a
    // loaded 2-core machine acknowledged 2,996 of the 9,000 the rate allows, all exactly once.
    assert.ok(report.acknowledged >= 1500, `only ${report.acknowledged} votes acknowledged\n${detail}`);
    assert.equal(report.verification.missing, 0, detail);
    assert.equal(report.verification.extra, 0, detail);
    assert.equal(report.abandoned, 0, detail);
    assert.equal(report.ok, true, detail);
    rmSync(report.logDir, { recursive: true, force: true }); // kept above only to explain a failure
  });
});
