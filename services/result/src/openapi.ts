/**
 * result's OpenAPI document without a running service: the app is built from inert
 * dependencies (no database, the default polls) and never started, since the document
 * depends on the routes only. `npm run openapi` writes it to docs/api/result.openapi.json;
 * test/openapi.test.ts checks that copy is current. A running result serves the same document
 * at GET /api/openapi.json.
 */
import { createLogger, createMetricsRegistry, loadPolls, openApiDocumentOf, type OpenApiDocument } from '@bernstein/common';
import { buildApp } from './app.js';
import { createResultMetrics } from './metrics.js';
import { TalliesStore } from './tallies-store.js';

export function resultOpenApiDocument(): OpenApiDocument {
  const logger = createLogger('result-openapi', 'silent');
  const metrics = createResultMetrics(createMetricsRegistry('result'));
  const noDatabase = { query: () => Promise.reject(new Error('no database: this app only lists its routes')) };
  const tallies = new TalliesStore(noDatabase, loadPolls({}), metrics, logger);
  const app = buildApp({ tallies, logger, metrics });
  try {
    return openApiDocumentOf(app);
  } finally {
    app.sseHub.close(0).catch(() => undefined);
  }
}
