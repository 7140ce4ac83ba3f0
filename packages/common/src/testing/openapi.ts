/**
 * Checks shared by the OpenAPI tests of poll and result: the committed document is the
 * generated one, and every error answer it documents is in the documented error format.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { OpenApiDocument } from '../http/openapi.js';

/** The part of an OpenAPI operation these checks read. */
export type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
export type DocumentedOperation = { path: string; method: string; op: Operation };
export type ParsedDocument = OpenApiDocument & { paths: Record<string, Record<string, Operation>> };

/** Fails, naming the first differing line, when the file at `committed` is not `generated`. */
export function assertCommittedAsGenerated(committed: URL, generated: string, name: string): void {
  const text = readFileSync(committed, 'utf8');
  if (text === generated) return;
  const x = text.split('\n');
  const y = generated.split('\n');
  const line = x.findIndex((t, i) => t !== y[i]);
  const at = line === -1 ? x.length : line;
  assert.fail(
    `docs/api/${name} is out of date: run npm run openapi ` +
      `(line ${at + 1}: committed ${JSON.stringify(x[at] ?? '(end)')}, generated ${JSON.stringify(y[at] ?? '(end)')})`,
  );
}

/**
 * The document's operations, after checking that each 4xx/5xx answer has a body: the error
 * schema (JSON) on `/api/` paths, an HTML page elsewhere.
 */
export function assertErrorsDocumented(generated: string): { doc: ParsedDocument; operations: DocumentedOperation[] } {
  const doc = JSON.parse(generated) as ParsedDocument;
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
  for (const { path, method, op } of operations) {
    for (const [status, response] of Object.entries(op.responses)) {
      if (Number(status) < 400) continue;
      const media = path.startsWith('/api/') ? 'application/json' : 'text/html';
      const schema = response.content?.[media]?.schema;
      assert.ok(schema !== undefined, `${method} ${path} ${status} answers ${media}`);
      if (media === 'application/json') assert.deepEqual(schema, { $ref: '#/components/schemas/Error' }, `${method} ${path} ${status}`);
    }
  }
  return { doc, operations };
}
