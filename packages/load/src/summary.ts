/** The readable end-of-run summary and the live progress line. */
import type { Percentiles } from './stats.js';
import type { LoadReport, Progress } from './runner.js';

const n = (v: number) => v.toLocaleString('en-US');
const ms = (p: Percentiles | null) =>
  p ? `p50 ${p.p50} ms · p95 ${p.p95} ms · p99 ${p.p99} ms · max ${p.max} ms (${n(p.count)} samples)` : 'no samples';

export function progressLine(p: Progress): string {
  return [
    `${(p.elapsedMs / 1000).toFixed(1)}s`,
    p.phase,
    `sent ${n(p.sent)}`,
    `acked ${n(p.acknowledged)}`,
    `${n(Math.round(p.rate))}/s`,
    `in flight ${p.inFlight}`,
    `refused ${n(p.refused)}`,
    p.retrying ? `retrying ${p.retrying}` : '',
    `not yet visible ${n(p.notYetVisible)}`,
  ]
    .filter(Boolean)
    .join('  ');
}

export function summary(r: LoadReport): string {
  const lines = [
    `votes sent ${n(r.sent)}, acknowledged ${n(r.acknowledged)} (${n(r.firstVotes)} first votes, ${n(r.reVotes)} re-votes) in ${(r.loadMs / 1000).toFixed(1)} s: ${n(r.acknowledgedPerSecond)} votes/s`,
    `refused and retried ${n(r.refused)}${r.refused ? ` ${JSON.stringify(r.refusedBy)}` : ''}; rejected ${n(r.rejected)}${r.rejected ? ` ${JSON.stringify(r.rejectedBy)}` : ''}; abandoned ${n(r.abandoned)}`,
    `request → acknowledged: ${ms(r.requestLatencyMs)}`,
    `generator CPU: ${n(r.generatorCpu.userMs + r.generatorCpu.systemMs)} ms for the load phase (${n(r.generatorCpu.votesPerCpuSecond)} votes per CPU second)`,
  ];
  if (!r.verification.skipped) {
    lines.push(`vote → visible (SSE):   ${ms(r.visibleLatencyMs)}`);
    lines.push(`settled: ${r.settle.settled ? 'yes' : 'NO'} after ${(r.settle.ms / 1000).toFixed(1)} s`);
  }
  for (const p of r.verification.polls) {
    const delta = Object.keys(p.delta).length ? ` delta ${JSON.stringify(p.delta)}` : '';
    lines.push(
      `poll ${p.poll}: expected ${n(p.expectedTotal)} ${JSON.stringify(p.expected)}, counted ${n(p.actualTotal)} ${JSON.stringify(p.actual)}${delta}`,
    );
  }
  const drain = (r as { drain?: { votes: number; ms: number; votesPerSecond: number; batchSize: number } }).drain;
  if (drain) lines.push(`drain: one worker (batch ${drain.batchSize}) drained ${n(drain.votes)} queued votes in ${(drain.ms / 1000).toFixed(2)} s: ${n(drain.votesPerSecond)} votes/s`);
  if (r.chaos) {
    lines.push('chaos:');
    for (const e of r.chaos) lines.push(`  ${(e.atMs / 1000).toFixed(1).padStart(6)} s  ${e.event}`);
  }
  const v = r.verification;
  if (r.refusedWithoutIdentity) lines.push(`note: ${n(r.refusedWithoutIdentity)} first votes were refused before the voter had a cookie`);
  lines.push(
    v.skipped
      ? 'exactly once: not verified (--no-verify)'
      : v.ok
      ? `exactly once: OK — 0 lost, 0 double-counted`
      : `exactly once: FAILED — ${n(v.missing)} lost (missing from the tallies), ${n(v.extra)} double-counted (extra in the tallies)`,
  );
  if (v.ok && !r.ok) lines.push('run FAILED: see rejected/abandoned votes or chaos events above');
  return lines.join('\n');
}
