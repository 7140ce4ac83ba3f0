/**
 * The worker's HTTP side: only the operational endpoints (/healthz, /readyz, /metrics), built
 * from explicit dependencies so tests can load it with `inject()`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerOpsRoutes, type Logger, type Readiness, type Registry } from '@bernstein/common';

export interface AppDeps {
  logger: Logger;
  readiness: Readiness;
  metrics: Registry;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  // The ops routes log at warn only (registerOpsRoutes), so probes and scrapes do not flood the log.
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger });
  registerOpsRoutes(app, { readiness: deps.readiness, metrics: deps.metrics });
  return app;
}
