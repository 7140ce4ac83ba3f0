import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetricsRegistry, Readiness } from '@bernstein/common';
import { buildApp } from '../src/app.js';
import { createWorkerMetrics } from '../src/metrics.js';
import { silent } from './helpers.js';

describe('worker ops app', () => {
  function app(checks: ConstructorParameters<typeof Readiness>[0]) {
    const registry = createMetricsRegistry('worker');
    createWorkerMetrics(registry);
    const readiness = new Readiness(checks);
    return { app: buildApp({ logger: silent, readiness, metrics: registry }), readiness };
  }

  it('is live and ready when every check passes; metrics list the worker series', async () => {
    const { app: a } = app({ redis: async () => undefined, postgres: async () => undefined });
    assert.equal((await a.inject('/healthz')).statusCode, 200);
    const ready = await a.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', checks: { redis: 'ok', postgres: 'ok' } });
    const metrics = await a.inject('/metrics');
    assert.equal(metrics.statusCode, 200);
    for (const name of [
      'bernstein_worker_votes_written_total',
      'bernstein_worker_batches_total',
      'bernstein_worker_batch_size_bucket',
      'bernstein_worker_batch_duration_seconds_bucket',
      'bernstein_worker_dead_lettered_total',
      'bernstein_worker_claimed_total',
    ]) {
      assert.match(metrics.body, new RegExp(`^${name}`, 'm'), name);
    }
    await a.close();
  });

  it('is not ready when a dependency fails, or while shutting down, but stays live', async () => {
    const { app: a, readiness } = app({ redis: async () => undefined, postgres: async () => { throw new Error('connect ECONNREFUSED'); } });
    const res = await a.inject('/readyz');
    assert.equal(res.statusCode, 503);
    assert.equal(res.json<{ checks: Record<string, string> }>().checks.postgres, 'connect ECONNREFUSED');
    assert.equal((await a.inject('/healthz')).statusCode, 200);
    readiness.markShuttingDown();
    assert.equal((await a.inject('/readyz')).statusCode, 503);
    await a.close();
  });
});
