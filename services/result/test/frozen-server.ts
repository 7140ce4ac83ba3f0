/**
 * A result process of its own for the live-indicator test (which freezes it with SIGSTOP):
 * the real app on a free port with a short keepalive. Reads the PostgreSQL connection from
 * TEST_POSTGRES (JSON) and prints `{"url": …}` once it listens.
 */
import { Database } from '@bernstein/common';
import { logger, startResult, type TestDatabase } from './helpers.js';

const connection = JSON.parse(process.env.TEST_POSTGRES ?? '{}') as TestDatabase['connection'];
const db = new Database(connection, logger, 'result-frozen');
const database = { connection, db, server: undefined, close: async () => undefined } as unknown as TestDatabase;
const result = await startResult(database, { app: { sse: { keepaliveMs: Number(process.env.KEEPALIVE_MS ?? 500) } } });
process.stdout.write(`${JSON.stringify({ url: result.url })}\n`);
