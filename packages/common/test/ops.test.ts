import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Counter, createMetricsRegistry, installShutdown, Readiness, registerOpsRoutes, type ShutdownOptions } from '@bernstein/common';

describe('ops endpoints', () => {
  it('reports liveness regardless of dependencies, and readiness per dependency', async () => {
    let redisUp = false;
    const readiness = new Readiness({
      redis: async () => {
        if (!redisUp) throw new Error('redis connection is reconnecting');
      },
    });
    const metrics = createMetricsRegistry('test');
    new Counter({ name: 'bernstein_test_total', help: 'test counter', registers: [metrics] }).inc(3);
    const app = Fastify();
    registerOpsRoutes(app, { readiness, metrics });
    try {
      assert.equal((await app.inject('/healthz')).statusCode, 200);
      const down = await app.inject('/readyz');
      assert.equal(down.statusCode, 503);
      assert.deepEqual(down.json(), { status: 'not ready', checks: { redis: 'redis connection is reconnecting' } });
      redisUp = true;
      assert.equal((await app.inject('/readyz')).statusCode, 200);
      readiness.markShuttingDown();
      assert.equal((await app.inject('/readyz')).statusCode, 503);
      assert.equal((await app.inject('/healthz')).statusCode, 200);
      const text = (await app.inject('/metrics')).body;
      assert.match(text, /bernstein_test_total\{service="test"\} 3/);
      assert.match(text, /process_resident_memory_bytes/);
    } finally {
      await app.close();
    }
  });
});

describe('graceful shutdown', () => {
  /** Runs one shutdown (silent, no signals, no delay and a second for the steps unless `opts` says otherwise) and resolves with its exit code. */
  function exitCodeOf(opts: Pick<ShutdownOptions, 'steps'> & Partial<ShutdownOptions>): Promise<number> {
    return new Promise((resolve) => {
      const { shutdown } = installShutdown({ logger: pino({ level: 'silent' }), delayMs: 0, timeoutMs: 1000, signals: [], exit: resolve, ...opts });
      void shutdown('test');
    });
  }

  it('marks not ready, waits the delay, closes steps in order, then exits 0', async () => {
    const readiness = new Readiness({});
    const order: string[] = [];
    const code = await exitCodeOf({
      readiness,
      delayMs: 20,
      steps: [
        { name: 'http', close: async () => void order.push(`http ready=${!readiness.isShuttingDown}`) },
        { name: 'redis', close: async () => void order.push('redis') },
      ],
    });
    assert.equal(code, 0);
    assert.deepEqual(order, ['http ready=false', 'redis']);
  });

  it('exits 1 when a step fails, after still closing the others', async () => {
    const closed: string[] = [];
    const code = await exitCodeOf({
      steps: [
        { name: 'bad', close: async () => Promise.reject(new Error('boom')) },
        { name: 'good', close: async () => void closed.push('good') },
      ],
    });
    assert.equal(code, 1);
    assert.deepEqual(closed, ['good']);
  });

  it('exits 1 when the steps outlast the timeout', async () => {
    const code = await exitCodeOf({ timeoutMs: 30, steps: [{ name: 'stuck', close: () => new Promise((r) => setTimeout(r, 300)) }] });
    assert.equal(code, 1);
  });
});
