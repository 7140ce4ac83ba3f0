/**
 * One load run: simulated voters send votes (at a target rate or at full speed) until the
 * vote count or duration is reached; refused votes (503, no answer) are retried with the same
 * voter and option until acknowledged; then the run waits for the system to settle and
 * verifies the result API's tallies against its own expectation, exactly.
 */
import { Oracle, type Tallies } from './oracle.js';
import { parseReceipt } from './receipt.js';
import { ResultsClient, talliesOf } from './results-client.js';
import { Samples, type Percentiles } from './stats.js';
import { parseTarget } from './target.js';
import { addTallies, comparePoll, nonZero, verdict, type Verdict } from './verify.js';
import { Visibility } from './visibility.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { VoteClient, type PollInfo, type VoteOutcome } from './vote-client.js';

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

const RETRYABLE = new Set([0, 429, 502, 503, 504]);

interface Retry {
  voter: number;
  poll: string;
  option: string;
  due: number;
}


function pickWeighted(polls: { id: string; weight: number }[], total: number): string {
  let r = Math.random() * total;
  for (const p of polls) {
    r -= p.weight;
    if (r < 0) return p.id;
  }
  return (polls[polls.length - 1] as { id: string }).id;
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
    const optionsOf = new Map(catalog.map((p) => [p.id, p.options]));
    const weightTotal = chosen.reduce((s, p) => s + p.weight, 0);

    // What is already counted (earlier runs, other users) is the baseline our votes add to.
    const baseline = new Map<string, Tallies>();
    if (options.verify) for (const p of chosen) baseline.set(p.id, await stableTallies(results, p.id));

    const visibility = new Visibility();
    const following: Promise<void>[] = [];
    if (options.verify && options.visibility) {
      for (const p of chosen) {
        visibility.baseline(p.id, Object.values(baseline.get(p.id) ?? {}).reduce((s, v) => s + v, 0));
        following.push(results.follow(p.id, (r) => visibility.seen(p.id, r.total, performance.now()), follow.signal));
      }
    }

    const oracle = new Oracle();
    const requestLatency = new Samples();
    const cookies: (string | undefined)[] = new Array(options.voters).fill(undefined);
    const busy = new Uint8Array(options.voters);
    let nextNew = 0;
    let sent = 0;
    let acknowledged = 0;
    let firstVotes = 0;
    let refused = 0;
    let rejected = 0;
    let cookieChanges = 0;
    let refusedWithoutIdentity = 0;
    const refusedBy: Record<string, number> = {};
    const rejectedBy: Record<string, number> = {};
    let inFlight = 0;
    const retries: Retry[] = [];
    let stopSending = false;
    let phase: Progress['phase'] = 'load';
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let cpuLoad: NodeJS.CpuUsage = { user: 0, system: 0 };
    let loadEnd = 0;
    let wake: (() => void) | undefined;

    const pickVoter = (): number => {
      const wantNew = nextNew < options.voters && (nextNew === 0 || Math.random() >= options.revoteShare);
      if (wantNew) return nextNew++;
      for (let i = 0; i < 8; i++) {
        const v = Math.floor(Math.random() * nextNew);
        if (!busy[v]) return v;
      }
      return nextNew < options.voters ? nextNew++ : -1;
    };

    const complete = (voter: number, poll: string, option: string, began: number, outcome: VoteOutcome) => {
      inFlight--;
      const now = performance.now();
      if (outcome.cookie && outcome.cookie !== cookies[voter]) {
        if (cookies[voter] !== undefined) cookieChanges++;
        cookies[voter] = outcome.cookie;
      }
      const receipt = outcome.status === 202 ? parseReceipt(outcome.receipt) : undefined;
      if (receipt) {
        acknowledged++;
        requestLatency.add(now - began);
        hooks.onAcknowledged?.({ poll, voter, option, receipt: outcome.receipt as string });
        if (oracle.record(poll, voter, option, receipt)) {
          firstVotes++;
          visibility.acknowledged(poll, now);
        }
        busy[voter] = 0;
      } else if (RETRYABLE.has(outcome.status)) {
        // Not acknowledged: it may or may not be in the stream. Sending the same vote again
        // until it is acknowledged makes the outcome certain either way (the retry is later).
        refused++;
        if (cookies[voter] === undefined) refusedWithoutIdentity++;
        const key = outcome.error ?? String(outcome.status);
        refusedBy[key] = (refusedBy[key] ?? 0) + 1;
        retries.push({ voter, poll, option, due: now + Math.min(2000, Math.max(100, outcome.retryAfterMs ?? 250)) });
      } else {
        rejected++;
        const key = outcome.error ?? `HTTP ${outcome.status}`;
        rejectedBy[key] = (rejectedBy[key] ?? 0) + 1;
        busy[voter] = 0;
      }
      pump();
      if (inFlight === 0 && wake) wake();
    };

    const launch = (voter: number, poll: string, option: string) => {
      busy[voter] = 1;
      inFlight++;
      const began = performance.now();
      void client.vote(poll, option, cookies[voter]).then((outcome) => complete(voter, poll, option, began, outcome));
    };

    const pump = () => {
      const now = performance.now();
      while (inFlight < options.concurrency) {
        if (retries.length > 0 && (retries[0] as Retry).due <= now) {
          const r = retries.shift() as Retry;
          launch(r.voter, r.poll, r.option);
          continue;
        }
        if (stopSending) break;
        if (options.votes !== undefined && sent >= options.votes) break;
        if (options.rate > 0 && sent >= (options.rate * (now - t0)) / 1000) break;
        const voter = pickVoter();
        if (voter < 0) break;
        const poll = chosen.length === 1 ? (chosen[0] as { id: string }).id : pickWeighted(chosen, weightTotal);
        const opts = optionsOf.get(poll) as string[];
        sent++;
        launch(voter, poll, opts[Math.floor(Math.random() * opts.length)] as string);
      }
    };

    let lastAcked = 0;
    let lastTick = t0;
    const report = () => {
      const now = performance.now();
      hooks.progress?.({
        phase,
        elapsedMs: now - t0,
        sent,
        acknowledged,
        inFlight,
        refused,
        retrying: retries.length,
        rate: ((acknowledged - lastAcked) * 1000) / Math.max(1, now - lastTick),
        notYetVisible: visibility.waiting,
      });
      lastAcked = acknowledged;
      lastTick = now;
    };
    const ticker = setInterval(() => {
      const now = performance.now();
      if (!stopSending) {
        const byCount = options.votes !== undefined && sent >= options.votes;
        const byTime = options.durationMs !== undefined && now - t0 >= options.durationMs;
        if (byCount || byTime || hooks.signal?.aborted) {
          stopSending = true;
          loadEnd = now;
          phase = 'retry';
        }
      }
      // Retries are due by time; keep them sorted cheaply (few at a time).
      if (retries.length > 1) retries.sort((a, b) => a.due - b.due);
      pump();
      if (stopSending && inFlight === 0 && (retries.length === 0 || now - loadEnd > options.retryWindowMs) && wake) wake();
    }, 5);
    const progressTimer = setInterval(report, 500);
    pump();

    // Wait until sending stopped and every vote is acknowledged (or the retry window closed).
    await new Promise<void>((resolve) => {
      wake = () => {
        const now = performance.now();
        if (stopSending && inFlight === 0 && (retries.length === 0 || now - loadEnd > options.retryWindowMs)) resolve();
      };
    });
    clearInterval(ticker);
    cpuLoad = process.cpuUsage(cpu0);
    const abandoned = retries.length;
    const loadMs = loadEnd - t0;

    phase = 'settle';
    report();
    await hooks.beforeSettle?.();

    const expected = new Map<string, Tallies>();
    for (const p of chosen) expected.set(p.id, nonZero(addTallies(baseline.get(p.id) ?? {}, oracle.tallies(p.id))));
    const settleStart = performance.now();
    let settled = false;
    let actual = new Map<string, Tallies>();
    let lastKey = '';
    let lastChange = settleStart;
    while (options.verify) {
      try {
        const now = new Map<string, Tallies>();
        for (const p of chosen) now.set(p.id, nonZero(talliesOf(await results.results(p.id))));
        actual = now;
        const key = JSON.stringify([...now]);
        if (key !== lastKey) {
          lastKey = key;
          lastChange = performance.now();
        }
        const equal = chosen.every((p) => JSON.stringify(sortKeys(now.get(p.id) ?? {})) === JSON.stringify(sortKeys(expected.get(p.id) ?? {})));
        // Equal must stay equal for a moment: a vote still queued and a vote counted twice
        // can cancel out for an instant.
        if (equal && performance.now() - lastChange >= options.confirmMs) {
          settled = true;
          break;
        }
      } catch {
        // result unreachable for a moment: keep asking until the timeout
      }
      const t = performance.now();
      if (t - settleStart > options.settleTimeoutMs || t - lastChange > options.quietMs) break;
      await sleep(100);
    }
    const settleMs = performance.now() - settleStart;
    // Give the SSE stream a last moment to deliver what the API already shows.
    if (options.verify && options.visibility && visibility.waiting > 0) await sleep(Math.min(1000, options.quietMs));
    clearInterval(progressTimer);

    const check = options.verify
      ? verdict(chosen.map((p) => comparePoll(p.id, expected.get(p.id) ?? {}, actual.get(p.id) ?? {})))
      : { ok: true, missing: 0, extra: 0, polls: [], skipped: true };
    return {
      startedAt: started.toISOString(),
      options,
      loadMs: Math.round(loadMs),
      sent,
      acknowledged,
      firstVotes,
      reVotes: acknowledged - firstVotes,
      refused,
      refusedBy,
      rejected,
      rejectedBy,
      abandoned,
      cookieChanges,
      refusedWithoutIdentity,
      acknowledgedPerSecond: Math.round((acknowledged * 1000) / Math.max(1, loadMs)),
      generatorCpu: {
        userMs: Math.round(cpuLoad.user / 1000),
        systemMs: Math.round(cpuLoad.system / 1000),
        votesPerCpuSecond: Math.round((acknowledged * 1e6) / Math.max(1, cpuLoad.user + cpuLoad.system)),
      },
      requestLatencyMs: requestLatency.summary(),
      visibleLatencyMs: visibility.samples.summary(),
      settle: { settled, ms: Math.round(settleMs) },
      verification: check,
      ok: check.ok && rejected === 0 && abandoned === 0,
    };
  } finally {
    follow.abort();
    await client.close().catch(() => undefined);
    await results.close().catch(() => undefined);
  }
}

function sortKeys(t: Tallies): [string, number][] {
  return Object.entries(t).sort(([a], [b]) => a.localeCompare(b));
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
