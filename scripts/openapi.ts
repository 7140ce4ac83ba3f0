// Writes the OpenAPI documents of poll and result, generated from their route schemas, to
// docs/api/: `npm run openapi`. Each service's test/openapi.test.ts fails while a copy is stale.
import { writeFileSync } from 'node:fs';
import { openApiJson } from '@bernstein/common';
import { pollOpenApiDocument } from '../services/poll/src/openapi.js';
import { resultOpenApiDocument } from '../services/result/src/openapi.js';

for (const [file, document] of [
  ['poll.openapi.json', pollOpenApiDocument()],
  ['result.openapi.json', resultOpenApiDocument()],
] as const) {
  writeFileSync(new URL(`../docs/api/${file}`, import.meta.url), openApiJson(document));
  console.log(`docs/api/${file}`);
}
