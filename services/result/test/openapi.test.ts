/**
 * result's OpenAPI document: the committed copy (docs/api/result.openapi.json) is what the
 * route schemas generate, and the app serves it with the headers of every answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertCommittedAsGenerated, assertErrorsDocumented } from '@bernstein/common/testing';
import { BASE_SECURITY_HEADERS, createMetricsRegistry, loadPolls, openApiJson } from '@bernstein/common';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { createResultMetrics } from '../src/metrics.js';
import { resultOpenApiDocument } from '../src/openapi.js';
import { TalliesStore } from '../src/tallies-store.js';
import { logger } from './helpers.js';

const COMMITTED = new URL('../../../docs/api/result.openapi.json', import.meta.url);

describe('result OpenAPI document', () => {
  const generated = openApiJson(resultOpenApiDocument());
  let app: FastifyInstance;

  before(async () => {
    // No PostgreSQL: the document and the answers refused before the first read need none.
    const metrics = createResultMetrics(createMetricsRegistry('result'));
    const noDatabase = { query: () => Promise.reject(new Error('no database in this test')) };
    app = buildApp({ tallies: new TalliesStore(noDatabase, loadPolls({}), metrics, logger), logger, metrics });
    await app.ready();
  });

  after(async () => {
    await app.close();
  });

  it('is committed as generated from the route schemas', () => {
    assertCommittedAsGenerated(COMMITTED, generated, 'result.openapi.json');
  });

  it('is served at GET /api/openapi.json with the security headers of every answer', async () => {
    const res = await app.inject('/api/openapi.json');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.body, generated);
    for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) assert.equal(res.headers[name], value, name);
  });

  it('documents every route and its errors in the documented format', async () => {
    const { doc, operations } = assertErrorsDocumented(generated);
    assert.deepEqual(
      operations.map((o) => `${o.method} ${o.path}`),
      [
        'get /',
        'get /api/openapi.json',
        'get /api/polls/{poll}/events',
        'get /api/polls/{poll}/results',
        'get /api/polls/{poll}/results.csv',
        'get /api/polls/{poll}/results.json',
        'get /favicon.ico',
        'get /polls',
        'get /polls/{poll}',
        'get /polls/{poll}/present',
      ],
    );
    // What the document promises for a poll never read: 503 POSTGRES_UNAVAILABLE in the error format.
    const res = await app.inject('/api/polls/default/results');
    assert.equal(res.statusCode, 503);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'POSTGRES_UNAVAILABLE');
    assert.ok('503' in (doc.paths['/api/polls/{poll}/results']?.get?.responses ?? {}), 'the 503 is documented');
  });
});
