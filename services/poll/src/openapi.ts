/**
 * poll's OpenAPI document without a running service: the app is built from inert
 * dependencies (a Redis client that never connects, the default polls) and never started,
 * since the document depends on the routes only. `npm run openapi` writes it to
 * docs/api/poll.openapi.json; test/openapi.test.ts checks that copy is current. A running poll
 * serves the same document at GET /api/openapi.json.
 */
import { randomBytes } from 'node:crypto';
import {
  createLogger,
  createMetricsRegistry,
  loadConfig,
  loadPolls,
  openApiDocumentOf,
  pollServiceSpec,
  Redis,
  type OpenApiDocument,
} from '@bernstein/common';
import { buildApp } from './app.js';

export function pollOpenApiDocument(): OpenApiDocument {
  const config = loadConfig(pollServiceSpec, { REDIS_HOST: '127.0.0.1', COOKIE_SECRETS: randomBytes(32).toString('base64url') });
  const redis = new Redis({ lazyConnect: true });
  const app = buildApp({ config, redis, polls: loadPolls(config), logger: createLogger('poll-openapi', 'silent'), metrics: createMetricsRegistry('poll') });
  try {
    return openApiDocumentOf(app);
  } finally {
    redis.disconnect();
  }
}
