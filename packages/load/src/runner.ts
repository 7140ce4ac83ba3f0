/**
 * One load run: simulated voters send votes (at a target rate or at full speed) until the
 * vote count or duration is reached; refused votes (503, no answer) are retried with the same
 * voter and option until acknowledged; then the run waits for the system to settle and
 * verifies the result API's tallies against its own expectation, exactly.
 *
 * The pieces: schedule.ts (who votes for what, when), sender.ts (send, retry, count),
 * follow.ts (vote → visible latency over SSE), settle.ts (wait for the tallies, compare).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { followResults } from './follow.js';
import { Oracle, type Tallies } from './oracle.js';
import { ResultsClient, talliesOf } from './results-client.js';
import { VoteSchedule } from './schedule.js';
import { Sender } from './sender.js';
import { settle, sortKeys } from './settle.js';
import type { Percentiles } from './stats.js';
import { parseTarget } from './target.js';
import { addTallies, comparePoll, nonZero, verdict, type Verdict } from './verify.js';
import { Visibility } from './visibility.js';
import { VoteClient, type PollInfo } from './vote-client.js';

export interface LoadOptions {
  pollUrls: string[];
  resultUrl: string;
  /** Host headers, for going through an ingress (e.g. poll.dop.io on Traefik's NodePort). */
  pollHost?: string | undefined;
  resultHost?: string | undefined;
  voters: number;
  /** Stop after this many votes were sent (each is retried until acknowledged)… */
  votes?: number | undefined;
  /** …or after this long. */
  durationMs?: number | undefined;
  /** Votes per second; 0 = as fast as the concurrency allows. */
  rate: number;
  /** Requests in flight at most. */
  concurrency: number;
  /** HTTP/1.1 pipelining depth per connection (1 = none). */
  pipelining: number;
  /** Share (0…1) of votes sent by voters who already voted. */
  revoteShare: number;
  /** Polls to vote in, with weights; every poll the service lists, equally, when omitted. */
  polls?: { id: string; weight: number }[] | undefined;
  /** How long to wait for the tallies to reach the expectation. */
  settleTimeoutMs: number;
  /** Give up waiting when the tallies have not changed for this long. */
  quietMs: number;
  /** Tallies equal to the expectation must stay so this long to count as settled. */
  confirmMs: number;
  /** After the load, how long refused votes are still retried. */
  retryWindowMs: number;
  requestTimeoutMs: number;
  /** Listen to the SSE stream and measure vote → visible latency. */
  visibility: boolean;
  /** Compare with the result API at the end (false: only drive load, e.g. to measure the generator's ceiling). */
  verify: boolean;
}

export const defaultLoadOptions: Omit<LoadOptions, 'pollUrls' | 'resultUrl'> = {
  voters: 1000,
  rate: 0,
  concurrency: 64,
  pipelining: 1,
  revoteShare: 0.2,
  settleTimeoutMs: 60_000,
  quietMs: 10_000,
  confirmMs: 1000,
  retryWindowMs: 60_000,
  requestTimeoutMs: 10_000,
  visibility: true,
  verify: true,
};

export interface Progress {
  phase: 'load' | 'retry' | 'settle';
  elapsedMs: number;
  sent: number;
  acknowledged: number;
  inFlight: number;
  refused: number;
  retrying: number;
  /** Acknowledged votes per second over the last interval. */
  rate: number;
  notYetVisible: number;
}

export interface LoadHooks {
  progress?: (p: Progress) => void;
  /** Called as the load phase begins, just before the first vote goes out (chaos starts its clock here). */
  loadStarting?: () => void;
  /**
   * Asked on every tick once the duration is over: while it answers true, the load goes on
   * (chaos keeps it going until its scheduled faults are over; the caller bounds this).
   */
  extendLoad?: () => boolean;
  /** Called when the load phase ends, before waiting for the system to settle (chaos restores everything here). */
  beforeSettle?: () => Promise<void>;
  /** Aborting stops sending new votes; the run still settles and verifies. */
  signal?: AbortSignal;
  /** Every acknowledged vote (tests keep their own expectation from these). */
  onAcknowledged?: (vote: { poll: string; voter: number; option: string; receipt: string }) => void;
}

export interface LoadReport {
  startedAt: string;
  options: LoadOptions;
  loadMs: number;
  sent: number;
  acknowledged: number;
  firstVotes: number;
  reVotes: number;
  /** Answers that did not acknowledge the vote and were retried (503, or no answer at all). */
  refused: number;
  refusedBy: Record<string, number>;
  /** Answers that reject the vote for good (4xx): a bug in the system or in the generator. */
  rejected: number;
  rejectedBy: Record<string, number>;
  /** Votes still refused when the retry window closed: their fate is unknown. */
  abandoned: number;
  /** Voters whose cookie the service replaced mid-run (their identity changed). */
  cookieChanges: number;
  /**
   * First votes of a voter that failed without an answer carrying a cookie: if such a vote
   * reached the stream anyway, it counts under an identity we never learned (an extra vote).
   */
  refusedWithoutIdentity: number;
  acknowledgedPerSecond: number;
  /**
   * The generator's own CPU time during the load phase, and acknowledged votes per CPU
   * second: the rate one core could drive if the generator were the only limit (noise from
   * other processes on the machine does not change it much, unlike wall-clock rates).
   */
  generatorCpu: { userMs: number; systemMs: number; votesPerCpuSecond: number };
  requestLatencyMs: Percentiles | null;
  visibleLatencyMs: Percentiles | null;
  settle: { settled: boolean; ms: number };
  verification: Verdict;
  /** true when verification passed and nothing was rejected or abandoned. */
  ok: boolean;
  chaos?: { atMs: number; event: string }[];
}

export async function runLoad(options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadReport> {
  const started = new Date();
  const pollTargets = options.pollUrls.map((u) => parseTarget(u, options.pollHost, 'poll URL'));
  const resultTarget = parseTarget(options.resultUrl, options.resultHost, 'result URL');
  const client = new VoteClient(pollTargets, {
    connections: Math.max(1, Math.ceil(options.concurrency / options.pipelining)),
    pipelining: options.pipelining,
    timeoutMs: options.requestTimeoutMs,
  });
  const results = new ResultsClient(resultTarget);
  const follow = new AbortController();
  try {
    const catalog = await client.polls();
    const chosen = choosePolls(catalog, options.polls);
    const polls = chosen.map((p) => p.id);

    // What is already counted (earlier runs, other users) is the baseline our votes add to.
    const baseline = new Map<string, Tallies>();
    if (options.verify) for (const poll of polls) baseline.set(poll, await stableTallies(results, poll));
    const visibility = options.verify && options.visibility ? followResults(results, polls, baseline, follow.signal) : new Visibility();

    const oracle = new Oracle();
    const schedule = new VoteSchedule(options, chosen, new Map(catalog.map((p) => [p.id, p.options])));
    const sender = new Sender(options, client, schedule, oracle, visibility, hooks);
    let phase: Progress['phase'] = 'load';
    const progress = progressReporter(() => sender.progress(phase === 'load' && !sender.sending ? 'retry' : phase), hooks);
    const sent = await sender.run();
    phase = 'settle';
    progress.tick();
    await hooks.beforeSettle?.();

    const expected = new Map(polls.map((poll) => [poll, nonZero(addTallies(baseline.get(poll) ?? {}, oracle.tallies(poll)))]));
    const settled = options.verify ? await settle(results, expected, options) : { settled: false, ms: 0, actual: new Map<string, Tallies>() };
    // Give the SSE stream a last moment to deliver what the API already shows.
    if (options.verify && options.visibility && visibility.waiting > 0) await sleep(Math.min(1000, options.quietMs));
    progress.stop();

    const check = options.verify
      ? verdict(polls.map((poll) => comparePoll(poll, expected.get(poll) ?? {}, settled.actual.get(poll) ?? {})))
      : { ok: true, missing: 0, extra: 0, polls: [], skipped: true };
    const { counts, loadMs, cpu } = sent;
    return {
      startedAt: started.toISOString(),
      options,
      loadMs: Math.round(loadMs),
      sent: counts.sent,
      acknowledged: counts.acknowledged,
      firstVotes: counts.firstVotes,
      reVotes: counts.acknowledged - counts.firstVotes,
      refused: counts.refused,
      refusedBy: counts.refusedBy,
      rejected: counts.rejected,
      rejectedBy: counts.rejectedBy,
      abandoned: sent.abandoned,
      cookieChanges: counts.cookieChanges,
      refusedWithoutIdentity: counts.refusedWithoutIdentity,
      acknowledgedPerSecond: Math.round((counts.acknowledged * 1000) / Math.max(1, loadMs)),
      generatorCpu: {
        userMs: Math.round(cpu.user / 1000),
        systemMs: Math.round(cpu.system / 1000),
        votesPerCpuSecond: Math.round((counts.acknowledged * 1e6) / Math.max(1, cpu.user + cpu.system)),
      },
      requestLatencyMs: sent.requestLatency.summary(),
      visibleLatencyMs: visibility.samples.summary(),
      settle: { settled: settled.settled, ms: Math.round(settled.ms) },
      verification: check,
      ok: check.ok && counts.rejected === 0 && sent.abandoned === 0,
    };
  } finally {
    follow.abort();
    await client.close().catch(() => undefined);
    await results.close().catch(() => undefined);
  }
}

/** Calls hooks.progress every 500 ms (and on tick()) with the acknowledged rate since the last call. */
function progressReporter(snapshot: () => Omit<Progress, 'rate'>, hooks: LoadHooks): { tick(): void; stop(): void } {
  let lastAcked = 0;
  let lastTick = performance.now();
  const tick = () => {
    const now = performance.now();
    const s = snapshot();
    hooks.progress?.({ ...s, rate: ((s.acknowledged - lastAcked) * 1000) / Math.max(1, now - lastTick) });
    lastAcked = s.acknowledged;
    lastTick = now;
  };
  const timer = setInterval(tick, 500);
  return { tick, stop: () => clearInterval(timer) };
}

function choosePolls(catalog: PollInfo[], wanted: { id: string; weight: number }[] | undefined): { id: string; weight: number }[] {
  if (catalog.length === 0) throw new Error('the poll service lists no polls');
  if (!wanted || wanted.length === 0) return catalog.map((p) => ({ id: p.id, weight: 1 }));
  for (const w of wanted) {
    if (!catalog.some((p) => p.id === w.id)) {
      throw new Error(`poll ${JSON.stringify(w.id)} does not exist; the service has ${catalog.map((p) => p.id).join(', ')}`);
    }
  }
  return wanted;
}

/** The current tallies, once two reads half a second apart agree (nothing still draining). */
async function stableTallies(results: ResultsClient, poll: string, timeoutMs = 30_000): Promise<Tallies> {
  const deadline = Date.now() + timeoutMs;
  let previous: string | undefined;
  for (;;) {
    let current: Tallies | undefined;
    try {
      const r = await results.results(poll);
      if (!r.stale) current = nonZero(talliesOf(r));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
        throw new Error(`cannot reach result at ${results.target.origin}${results.target.prefix} (${code}); is the system running (npm start)?`);
      }
      if (Date.now() > deadline) throw err;
    }
    if (current) {
      const key = JSON.stringify(sortKeys(current));
      if (key === previous) return current;
      previous = key;
    }
    if (Date.now() > deadline) throw new Error(`the tallies of poll ${poll} did not stop changing within ${timeoutMs} ms; is another load running?`);
    await sleep(500);
  }
}
