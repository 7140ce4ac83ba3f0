/**
 * The result service's own Prometheus metrics, registered on the process registry.
 * Created once per process and shared by the tallies store, the listener and the SSE hub.
 */
import { Counter, Gauge, Histogram, type Registry } from '@bernstein/common';

export interface ResultMetrics {
  readonly registry: Registry;
  readonly sseClients: Gauge;
  readonly sseEventsPushed: Counter;
  readonly sseClientsDropped: Counter<'reason'>;
  readonly sseClientsRefused: Counter;
  readonly talliesReads: Counter<'outcome'>;
  readonly talliesReadSeconds: Histogram;
  readonly notifications: Counter;
  readonly changeToPush: Histogram;
  readonly listenerConnected: Gauge;
  readonly stale: Gauge;
  readonly staleSeconds: Gauge;
  /** When the served tallies became stale (epoch ms), or undefined while fresh; sets both gauges. */
  setStaleSince(since: number | undefined): void;
}

export function createResultMetrics(registry: Registry): ResultMetrics {
  let staleSince: number | undefined;
  const stale = new Gauge({
    name: 'result_tallies_stale',
    help: '1 while served tallies are the last known ones (PostgreSQL away), else 0',
    registers: [registry],
  });
  return {
    registry,
    sseClients: new Gauge({ name: 'result_sse_clients', help: 'open Server-Sent Events streams', registers: [registry] }),
    sseEventsPushed: new Counter({
      name: 'result_sse_events_pushed_total',
      help: 'results events written to SSE clients (one per client per update)',
      registers: [registry],
    }),
    sseClientsDropped: new Counter({
      name: 'result_sse_clients_dropped_total',
      help: 'SSE clients disconnected by the server (slow: socket buffer too large; shutdown)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    sseClientsRefused: new Counter({
      name: 'result_sse_clients_refused_total',
      help: 'event streams refused (503) because the cap of the process or of the client address was reached',
      registers: [registry],
    }),
    talliesReads: new Counter({
      name: 'result_tallies_reads_total',
      help: 'reads of the tallies table, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    talliesReadSeconds: new Histogram({
      name: 'result_tallies_read_duration_seconds',
      help: 'duration of one read of the tallies table',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'result_notifications_total',
      help: 'NOTIFY messages received on the tallies channel',
      registers: [registry],
    }),
    changeToPush: new Histogram({
      name: 'result_change_to_push_seconds',
      help: 'from the start of the transaction that changed tallies (tallies.updated_at, PostgreSQL clock) until this instance wrote the update to all its SSE clients',
      buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    listenerConnected: new Gauge({
      name: 'result_listener_connected',
      help: '1 while the LISTEN connection to PostgreSQL is up, else 0',
      registers: [registry],
    }),
    stale,
    staleSeconds: new Gauge({
      name: 'result_tallies_stale_seconds',
      help: 'how long the served tallies have been stale (0 when fresh)',
      registers: [registry],
      collect() {
        this.set(staleSince === undefined ? 0 : (Date.now() - staleSince) / 1000);
      },
    }),
    setStaleSince(since) {
      staleSince = since;
      stale.set(since === undefined ? 0 : 1);
    },
  };
}
