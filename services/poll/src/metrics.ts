/**
 * The poll service's own Prometheus metrics. Labels stay bounded: accepted votes by poll
 * (polls come from configuration), rejections by error code; never by option or voter.
 */
import { Counter, Histogram, type Registry } from '@bernstein/common';

export interface PollMetrics {
  /** Pre-bound children by poll id, so the hot path does no label hashing. */
  acceptedFor(pollId: string): { inc(): void };
  rejected: Counter<'code'>;
  appendSeconds: Histogram;
}

export function createPollMetrics(registry: Registry, pollIds: readonly string[]): PollMetrics {
  const accepted = new Counter({
    name: 'bernstein_poll_votes_accepted_total',
    help: 'Votes appended to the Redis stream and acknowledged to the voter',
    labelNames: ['poll'] as const,
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'bernstein_poll_votes_rejected_total',
    help: 'Vote requests refused, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const appendSeconds = new Histogram({
    name: 'bernstein_poll_redis_append_duration_seconds',
    help: 'Time from sending XADD to Redis until its reply (successful appends only)',
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const children = new Map(pollIds.map((id) => [id, accepted.labels(id)]));
  for (const child of children.values()) child.inc(0);
  return {
    acceptedFor: (pollId) => children.get(pollId) ?? accepted.labels(pollId),
    rejected,
    appendSeconds,
  };
}
