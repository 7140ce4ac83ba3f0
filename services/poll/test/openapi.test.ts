/**
 * poll's OpenAPI document: the committed copy (docs/api/poll.openapi.json) is what the route
 * schemas generate, the running app serves it with the headers of every answer, and the
 * answers Fastify now serializes from a schema keep every field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertCommittedAsGenerated, assertErrorsDocumented, type Operation } from '@bernstein/common/testing';
import { BASE_SECURITY_HEADERS, openApiJson } from '@bernstein/common';
import { pollOpenApiDocument } from '../src/openapi.js';
import { routes } from '../src/schemas.js';
import { JSON_HEADERS, useHarness } from './helpers.js';

const COMMITTED = new URL('../../../docs/api/poll.openapi.json', import.meta.url);
const TOKEN = 'an-admin-token-for-the-openapi-test';

describe('poll OpenAPI document', () => {
  const h = useHarness({ ADMIN_TOKEN: TOKEN });
  const generated = openApiJson(pollOpenApiDocument());

  it('is committed as generated from the route schemas', () => {
    assertCommittedAsGenerated(COMMITTED, generated, 'poll.openapi.json');
  });

  it('is served at GET /api/openapi.json with the security headers of every answer', async () => {
    const res = await h.app.inject('/api/openapi.json');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.body, generated);
    for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) assert.equal(res.headers[name], value, name);
    assert.equal((await h.app.inject({ method: 'HEAD', url: '/api/openapi.json' })).statusCode, 200);
  });

  it('documents every route, its path parameters and its errors in the documented format', () => {
    const { doc, operations } = assertErrorsDocumented(generated);
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(operations.length, 22, operations.map((o) => `${o.method} ${o.path}`).join(', '));
    const vote = doc.paths['/api/polls/{poll}/votes']?.post as Operation & { parameters: unknown[] };
    assert.deepEqual(vote.parameters, [{ name: 'poll', in: 'path', required: true, description: 'The poll id', schema: { type: 'string' } }]);
  });

  it('gives Fastify nothing more to check per vote than the body, and the 202 to serialize', () => {
    const fastifyParts = Object.keys(routes.vote).filter((key) => ['body', 'querystring', 'params', 'headers', 'response'].includes(key));
    assert.deepEqual(fastifyParts.sort(), ['body', 'response']);
    assert.deepEqual(Object.keys(routes.vote.response), ['202']);
  });

  it('keeps every field of the answers it serializes from a schema', async () => {
    const admin = { ...JSON_HEADERS, authorization: `Bearer ${TOKEN}` };
    const post = (url: string, payload?: unknown, headers: Record<string, string> = admin) =>
      h.app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

    const vote = await post('/api/polls/default/votes', { option: 'a' }, JSON_HEADERS);
    assert.equal(vote.statusCode, 202);
    assert.deepEqual(Object.keys(vote.json<Record<string, unknown>>()), ['poll', 'option', 'receipt']);

    const created = await post('/api/polls', { id: 'openapi', question: 'Documented?', options: [{ label: 'Yes' }, { label: 'No' }], access: 'codes' });
    assert.equal(created.statusCode, 201);
    const codes = await post('/api/polls/openapi/codes', { count: 2 });
    assert.equal(codes.statusCode, 201);
    const body = codes.json<{ poll: string; codes: string[] }>();
    assert.deepEqual(Object.keys(body), ['poll', 'codes']);
    assert.equal(body.poll, 'openapi');
    assert.equal(body.codes.length, 2);
    const csv = await h.app.inject({ method: 'POST', url: '/api/polls/openapi/codes', headers: { ...admin, accept: 'text/csv' }, payload: '{"count":2}' });
    assert.equal(csv.statusCode, 201);
    assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(csv.body, /^code\r\n[A-Z0-9]+\r\n[A-Z0-9]+\r\n$/);

    const bearer = { authorization: `Bearer ${TOKEN}` };
    const closed = await post('/api/polls/openapi/close', undefined, bearer);
    assert.equal(closed.statusCode, 200);
    const closedBody = closed.json<{ id: string; status: string; closedAt: string }>();
    assert.deepEqual(Object.keys(closedBody), ['id', 'status', 'closedAt']);
    assert.equal(closedBody.status, 'closed');
    assert.ok(!Number.isNaN(Date.parse(closedBody.closedAt)), `closedAt is a time: ${closedBody.closedAt}`);
    const archived = await post('/api/polls/openapi/archive', undefined, bearer);
    assert.equal(archived.statusCode, 200);
    const archivedBody = archived.json<Record<string, unknown>>();
    assert.deepEqual(Object.keys(archivedBody), ['id', 'status', 'closedAt', 'archived']);
    assert.equal(archivedBody.archived, true);
  });
});
