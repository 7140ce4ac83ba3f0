/** The worker's Prometheus metrics, registered on the process registry. */
import { Counter, Gauge, Histogram, type Redis, type Registry } from '@bernstein/common';
import type { StreamNames } from './stream.js';
import { groupState } from './trim.js';

export interface WorkerMetrics {
  votesWritten: Counter;
  rowsChanged: Counter;
  batches: Counter;
  batchSize: Histogram;
  batchSeconds: Histogram;
  deadLettered: Counter;
  claimed: Counter;
  retries: Counter<'operation'>;
  trimmed: Counter;
}

export function createWorkerMetrics(registry: Registry, lagSource?: { redis: Redis; names: StreamNames }): WorkerMetrics {
  const registers = [registry];
  const metrics: WorkerMetrics = {
    votesWritten: new Counter({
      name: 'bernstein_worker_votes_written_total',
      help: 'Valid votes committed to PostgreSQL (each stream entry once per commit, before deduplication)',
      registers,
    }),
    rowsChanged: new Counter({
      name: 'bernstein_worker_rows_changed_total',
      help: 'Rows of the votes table inserted or replaced (older or replayed votes change none)',
      registers,
    }),
    batches: new Counter({ name: 'bernstein_worker_batches_total', help: 'Batches committed and acknowledged', registers }),
    batchSize: new Histogram({
      name: 'bernstein_worker_batch_size',
      help: 'Stream entries per batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'bernstein_worker_batch_duration_seconds',
      help: 'Time from reading a batch to its acknowledgement, retries included',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    deadLettered: new Counter({
      name: 'bernstein_worker_dead_lettered_total',
      help: 'Malformed stream entries moved to the dead-letter stream',
      registers,
    }),
    claimed: new Counter({
      name: 'bernstein_worker_claimed_total',
      help: 'Pending entries of silent consumers claimed with XAUTOCLAIM',
      registers,
    }),
    retries: new Counter({
      name: 'bernstein_worker_retries_total',
      help: 'Failed attempts that were retried with back-off, by operation',
      labelNames: ['operation'] as const,
      registers,
    }),
    trimmed: new Counter({ name: 'bernstein_worker_trimmed_total', help: 'Acknowledged entries trimmed from the stream', registers }),
  };
  if (lagSource) {
    const { redis, names } = lagSource;
    // Read at scrape time from Redis, so the gauge is right even when the loop is stuck.
    const state = async () => groupState(redis, names).catch(() => null);
    new Gauge({
      name: 'bernstein_worker_stream_lag_entries',
      help: 'Entries of the stream not yet delivered to the consumer group (XINFO GROUPS lag)',
      registers,
      async collect() {
        const s = await state();
        if (s?.lag != null) this.set(s.lag);
      },
    });
    new Gauge({
      name: 'bernstein_worker_stream_pending_entries',
      help: 'Entries delivered to the consumer group but not yet acknowledged',
      registers,
      async collect() {
        const s = await state();
        if (s) this.set(s.pending);
      },
    });
  }
  return metrics;
}
