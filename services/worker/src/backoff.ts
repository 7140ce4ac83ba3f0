/**
 * Exponential back-off with a cap and jitter, for retrying a batch against Redis or
 * PostgreSQL. Jitter keeps several workers that failed together from retrying in lockstep.
 */
export interface BackoffOptions {
  /** Delay ceiling of the first retry. */
  baseMs: number;
  /** No delay ever exceeds this. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 50, maxMs: 2000 };

/**
 * The delay before retry number `attempt` (0 = first retry): "equal jitter", i.e. uniformly
 * between half and all of min(maxMs, baseMs * 2^attempt), so it always grows a little and
 * never collapses to zero (which would hammer a server that is just coming back).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

