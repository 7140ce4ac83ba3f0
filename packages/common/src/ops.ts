/**
 * Operational endpoints every service exposes on its ops port (OPS_PORT for poll and result,
 * see http/ops-app.ts; the worker's one port, PORT):
 *   GET /healthz  liveness: the process and its event loop are alive (no dependency checks,
 *                 so a Redis outage never makes Kubernetes restart healthy pods);
 *   GET /readyz   readiness: every dependency answers, and the process is not shutting down;
 *   GET /metrics  Prometheus text format.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type Check = () => Promise<void>;

export class Readiness {
  private shuttingDown = false;
  constructor(private readonly checks: Record<string, Check>) {}

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    if (this.shuttingDown) return { ready: false, checks: { process: 'shutting down' } };
    const names = Object.keys(this.checks);
    const outcomes = await Promise.allSettled(names.map((n) => (this.checks[n] as Check)()));
    const checks: Record<string, string> = {};
    outcomes.forEach((o, i) => {
      checks[names[i] as string] = o.status === 'fulfilled' ? 'ok' : String((o.reason as Error)?.message ?? o.reason);
    });
    return { ready: outcomes.every((o) => o.status === 'fulfilled'), checks };
  }
}

export function registerOpsRoutes(app: FastifyInstance, opts: { readiness: Readiness; metrics: Registry }): void {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => {
    const { ready, checks } = await opts.readiness.evaluate();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) => {
    const body = await opts.metrics.metrics();
    return reply.type(opts.metrics.contentType).send(body);
  });
}
