/**
 * Follow: listens to every chosen poll's live results (SSE) while the run goes on, so each
 * acknowledged first vote's vote → visible latency can be measured.
 */
import type { Tallies } from './oracle.js';
import type { ResultsClient } from './results-client.js';
import { Visibility } from './visibility.js';

/** Starts following; the streams run until `signal` aborts. */
export function followResults(results: ResultsClient, polls: readonly string[], baseline: ReadonlyMap<string, Tallies>, signal: AbortSignal): Visibility {
  const visibility = new Visibility();
  for (const poll of polls) {
    visibility.baseline(poll, Object.values(baseline.get(poll) ?? {}).reduce((s, v) => s + v, 0));
    // follow() ends only when the signal aborts and reconnects on its own on errors.
    void results.follow(poll, (r) => visibility.seen(poll, r.total, performance.now()), signal);
  }
  return visibility;
}
