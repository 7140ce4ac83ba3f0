/**
 * Compares the result API's tallies with the expectation, per poll and option. With tallies
 * alone, a vote that never arrived shows as a missing vote, a vote counted twice as an extra
 * one, and a lost re-vote as one missing (the new choice) plus one extra (the old choice).
 */
import type { Tallies } from './oracle.js';

export interface PollVerdict {
  poll: string;
  expected: Tallies;
  actual: Tallies;
  /** actual − expected, for each option where they differ. */
  delta: Tallies;
  expectedTotal: number;
  actualTotal: number;
  /** Σ max(0, expected − actual): votes that should be counted and are not (lost). */
  missing: number;
  /** Σ max(0, actual − expected): votes counted that should not be (double-counted or resurrected). */
  extra: number;
}

export interface Verdict {
  ok: boolean;
  missing: number;
  extra: number;
  polls: PollVerdict[];
  /** true when the run did not verify (--no-verify). */
  skipped?: boolean;
}

export function addTallies(a: Tallies, b: Tallies): Tallies {
  const out: Tallies = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const sum = (t: Tallies) => Object.values(t).reduce((s, v) => s + v, 0);

export function comparePoll(poll: string, expected: Tallies, actual: Tallies): PollVerdict {
  const delta: Tallies = {};
  let missing = 0;
  let extra = 0;
  for (const option of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const d = (actual[option] ?? 0) - (expected[option] ?? 0);
    if (d === 0) continue;
    delta[option] = d;
    if (d < 0) missing -= d;
    else extra += d;
  }
  return { poll, expected, actual, delta, expectedTotal: sum(expected), actualTotal: sum(actual), missing, extra };
}

export function verdict(polls: PollVerdict[]): Verdict {
  const missing = polls.reduce((s, p) => s + p.missing, 0);
  const extra = polls.reduce((s, p) => s + p.extra, 0);
  return { ok: missing === 0 && extra === 0, missing, extra, polls };
}

/** Drops options with zero votes, so `{a: 0}` and `{}` compare equal. */
export function nonZero(t: Tallies): Tallies {
  const out: Tallies = {};
  for (const [k, v] of Object.entries(t)) if (v !== 0) out[k] = v;
  return out;
}
