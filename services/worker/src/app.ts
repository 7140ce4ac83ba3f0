/**
 * The worker's HTTP side: only the operational endpoints (/healthz, /readyz, /metrics), built
 * from explicit dependencies so tests can load it with `inject()`. Its one port is its ops
 * port; the app is the same ops app as poll's and result's (the shared error format,
 * security headers and timeouts of packages/common/src/http).
 */
import type { FastifyInstance } from 'fastify';
import { buildOpsApp, type Logger, type Readiness, type Registry } from '@bernstein/common';

export interface AppDeps {
  logger: Logger;
  readiness: Readiness;
  metrics: Registry;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  return buildOpsApp(deps);
}
