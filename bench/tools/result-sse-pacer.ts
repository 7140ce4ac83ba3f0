/**
 * Worker thread of result-sse.ts: commits votes at a steady rate in worker-sized batches, on
 * its own event loop (so reading thousands of streams cannot delay the votes), and reports
 * each commit's running total with the wall-clock time its INSERT was sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

const { connection, rate, seconds, batch } = workerData as {
  connection: pg.ClientConfig;
  rate: number;
  seconds: number;
  batch: number;
};
const client = new pg.Client(connection);
await client.connect();
const now = () => performance.timeOrigin + performance.now();
const interval = (1000 * batch) / rate;
const started = now();
let voter = 0;
let total = 0;
let late = 0;
let k = 0;
for (; now() < started + seconds * 1000; k++) {
  const wait = started + k * interval - now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  else late++;
  const params: unknown[] = [];
  const rows: string[] = [];
  for (let j = 0; j < batch; j++) {
    voter++;
    params.push(`voter-${String(voter).padStart(12, '0')}`, 'abcd'[voter % 4], voter);
    rows.push(`('default', $${j * 3 + 1}, $${j * 3 + 2}, $${j * 3 + 3}::bigint, 0, now())`);
  }
  total += batch;
  parentPort!.postMessage({ total, sentAt: now() });
  await client.query(`INSERT INTO votes (poll, voter, option, stream_ms, stream_seq, voted_at) VALUES ${rows.join(', ')}`, params);
}
await client.end();
parentPort!.postMessage({ done: true, total, commits: k, late, seconds: (now() - started) / 1000 });
