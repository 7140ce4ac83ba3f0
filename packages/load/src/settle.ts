/**
 * Settle and verify: after the load, waits until the result API's tallies equal the
 * expectation (and stay equal a moment), or stop changing, or time runs out; then compares.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Tallies } from './oracle.js';
import { talliesOf, type ResultsClient } from './results-client.js';
import type { LoadOptions } from './runner.js';
import { nonZero } from './verify.js';

export interface Settled {
  readonly settled: boolean;
  readonly ms: number;
  /** The tallies last read, per poll. */
  readonly actual: ReadonlyMap<string, Tallies>;
}

type SettleOptions = Pick<LoadOptions, 'settleTimeoutMs' | 'quietMs' | 'confirmMs'>;

export function sortKeys(t: Tallies): [string, number][] {
  return Object.entries(t).sort(([a], [b]) => a.localeCompare(b));
}

function same(a: Tallies, b: Tallies): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

export async function settle(results: ResultsClient, expected: ReadonlyMap<string, Tallies>, options: SettleOptions): Promise<Settled> {
  const start = performance.now();
  let actual = new Map<string, Tallies>();
  let lastKey = '';
  let lastChange = start;
  for (;;) {
    try {
      const now = new Map<string, Tallies>();
      for (const poll of expected.keys()) now.set(poll, nonZero(talliesOf(await results.results(poll))));
      actual = now;
      const key = JSON.stringify([...now]);
      if (key !== lastKey) {
        lastKey = key;
        lastChange = performance.now();
      }
      const equal = [...expected].every(([poll, want]) => same(now.get(poll) ?? {}, want));
      // Equal must stay equal for a moment: a vote still queued and a vote counted twice
      // can cancel out for an instant.
      if (equal && performance.now() - lastChange >= options.confirmMs) return { settled: true, ms: performance.now() - start, actual };
    } catch {
      // result unreachable for a moment: keep asking until the timeout
    }
    const t = performance.now();
    if (t - start > options.settleTimeoutMs || t - lastChange > options.quietMs) return { settled: false, ms: t - start, actual };
    await sleep(100);
  }
}
