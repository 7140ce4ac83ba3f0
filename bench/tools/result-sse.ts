/**
 * Measures one result instance: how many SSE clients it holds, its RSS, and vote → visible
 * latency (from sending a vote's INSERT until each client has an event that includes it)
 * while votes are committed at a steady rate, the way workers commit batches.
 *
 *   node --conditions=source --import=tsx bench/tools/result-sse.ts \
 *     [--clients 5000] [--rate 1000] [--seconds 10] [--batch 10]
 *
 * Runs the built server (services/result/dist/server.js; `npm run build` first) against a
 * private PostgreSQL. Numbers depend on the machine and on what else runs on it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, Database, migrate } from '@bernstein/common';
import { freePort, PostgresServer, waitFor } from '@bernstein/local';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '10' },
    'node-flags': { type: 'string', default: '' },
  },
});
const CLIENTS = Number(values.clients);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const BATCH = Number(values.batch);

const out = (line: string) => process.stdout.write(`${line}\n`);
/** RSS of a process in MB, and its private (anonymous) part: the rest is the node binary and libraries mapped from disk. */
const rssMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) => (Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024).toFixed(1);
  return `${mb('VmRSS')} (anon ${mb('RssAnon')})`;
};
/** user + system CPU seconds of a process (clock ticks are 100 per second on Linux). */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const logger = createLogger('measure', 'warn');
const pg = await PostgresServer.start({ durable: false });
const db = new Database(
  { postgresHost: pg.host, postgresPort: pg.port, postgresDb: pg.connection.database, postgresUser: pg.connection.user, postgresPassword: pg.connection.password },
  logger,
  'measure',
);
await migrate(db, logger);

const port = await freePort();
const opsPort = await freePort();
const entry = process.env.MEASURE_ENTRY ?? fileURLToPath(new URL('../../services/result/dist/server.js', import.meta.url));
const server = spawn(process.execPath, [...values['node-flags'].split(' ').filter(Boolean), entry], {
  env: { PATH: process.env.PATH ?? '', ...pg.env, HOST: '127.0.0.1', PORT: String(port), OPS_PORT: String(opsPort), LOG_LEVEL: 'warn',
    // This tool measures what a stream costs, from one client: no caps in the way.
    SSE_MAX_STREAMS: '1000000', SSE_MAX_STREAMS_PER_CLIENT: '1000000' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const pid = server.pid!;
const ops = `http://127.0.0.1:${opsPort}`;
const pushed = async () =>
  Number(/^result_sse_events_pushed_total\{service="result"\} (\d+)/m.exec(await (await fetch(`${ops}/metrics`)).text())?.[1]);
try {
  await waitFor('result', async () => {
    const res = await fetch(`${ops}/readyz`);
    if (res.status !== 200) throw new Error(String(res.status));
  });
  await sleep(1000);
  const idle1 = rssMb(pid);
  await sleep(9000);
  out(`idle RSS: ${idle1} MB 1 s after ready, ${rssMb(pid)} MB after 10 s`);
  const idleMetrics = await (await fetch(`${ops}/metrics`)).text();
  const mb = (name: string) => (Number(new RegExp(`^${name}\\{service="result"\\} (\\S+)`, 'm').exec(idleMetrics)?.[1]) / 1048576).toFixed(1);
  out(`idle V8 heap: ${mb('nodejs_heap_size_used_bytes')} MB used of ${mb('nodejs_heap_size_total_bytes')} MB; external ${mb('nodejs_external_memory_bytes')} MB`);

  // --- open the clients ---------------------------------------------------------------
  interface Client {
    buffer: string;
    next: number; // index of the first commit this client has not seen yet
    events: number;
  }
  const commits: { total: number; sentAt: number }[] = [];
  const latencies = new Uint32Array(10_001); // 1 ms buckets; the last one is "≥ 10 s"
  let samples = 0;
  const clients: Client[] = [];
  const onEvent = (c: Client, total: number, at: number) => {
    c.events++;
    while (c.next < commits.length && commits[c.next]!.total <= total) {
      latencies[Math.min(10_000, Math.max(0, Math.round(at - commits[c.next]!.sentAt)))]!++;
      samples++;
      c.next++;
    }
  };
  // Plain sockets and a regex keep the measuring side cheap: it shares the machine's cores.
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const c: Client = { buffer: '', next: 0, events: 0 };
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('GET /api/polls/default/events HTTP/1.1\r\nHost: measure\r\nAccept: text/event-stream\r\n\r\n');
        clients.push(c);
        resolve();
      });
      socket.setEncoding('utf8');
      socket.on('error', reject);
      socket.on('data', (chunk: string) => {
        const at = performance.timeOrigin + performance.now();
        const text = c.buffer + chunk;
        const end = text.lastIndexOf('\n\n');
        if (end < 0) {
          c.buffer = text;
          return;
        }
        c.buffer = text.slice(end + 2);
        const i = text.lastIndexOf('"total":', end);
        if (i >= 0) onEvent(c, parseInt(text.slice(i + 8, i + 20), 10), at);
      });
      sockets.push(socket);
    });
  const sockets: Socket[] = [];
  const openedAt = performance.now();
  for (let i = 0; i < CLIENTS; i += 250) {
    await Promise.all(Array.from({ length: Math.min(250, CLIENTS - i) }, open));
  }
  await sleep(2000);
  const metrics = await (await fetch(`${ops}/metrics`)).text();
  const held = Number(/^result_sse_clients\{service="result"\} (\d+)/m.exec(metrics)?.[1]);
  out(`clients: ${clients.length} opened in ${Math.round(performance.now() - openedAt)} ms; server reports ${held} open streams; RSS ${rssMb(pid)} MB`);

  // --- votes at a steady rate, in worker-sized batches, from a worker thread -------------
  const cpuBefore = cpuSeconds(pid);
  const pushedBefore = await pushed();
  // Worker threads of Node 20 do not inherit tsx's loader: register it in the thread first.
  const pacerUrl = new URL('./result-sse-pacer.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pacerUrl)}); })`;
  const pacer = new Worker(bootstrap, {
    eval: true,
    workerData: { connection: { ...pg.connection }, rate: RATE, seconds: SECONDS, batch: BATCH },
  });
  const summary = await new Promise<{ total: number; commits: number; late: number; seconds: number }>((resolve, reject) => {
    pacer.on('message', (m: { total: number; sentAt: number; done?: boolean; commits: number; late: number; seconds: number }) => {
      if (m.done) resolve(m);
      else commits.push({ total: m.total, sentAt: m.sentAt });
    });
    pacer.on('error', reject);
  });
  const cpuAfter = cpuSeconds(pid);
  const elapsed = summary.seconds;
  out(`votes: ${summary.total} in ${elapsed.toFixed(1)} s = ${Math.round(summary.total / elapsed)} votes/s in ${summary.commits} commits (${summary.late} commits late)`);
  await waitFor('every client to see the last vote', async () => {
    if (clients.some((c) => c.next < commits.length)) throw new Error(`${clients.filter((c) => c.next < commits.length).length} behind`);
  }, 30_000, 100);
  const pct = (p: number) => {
    let seen = 0;
    for (let ms = 0; ms < latencies.length; ms++) {
      seen += latencies[ms]!;
      if (seen >= samples * p) return ms;
    }
    return Infinity;
  };
  const events = clients.reduce((s, c) => s + c.events, 0);
  out(`events received: ${events} (${(events / clients.length).toFixed(1)} per client)`);
  out(`vote → visible over ${samples} (vote batch, client) pairs: p50 ${pct(0.5)} ms, p90 ${pct(0.9)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`);
  const text = await (await fetch(`${ops}/metrics`)).text();
  const buckets = [...text.matchAll(/^result_change_to_push_seconds_bucket\{le="([^"]+)",service="result"\} (\d+)/gm)].map((m) => ({
    le: m[1]!,
    count: Number(m[2]),
  }));
  const all = buckets.at(-1)?.count ?? 0;
  const within = (p: number) => buckets.find((b) => b.count >= all * p)?.le;
  out(`server side, tallies change → written to all clients (${all} updates): p50 ≤ ${within(0.5)} s, p99 ≤ ${within(0.99)} s`);
  const reads = [...text.matchAll(/^result_tallies_read_duration_seconds_bucket\{le="([^"]+)",service="result"\} (\d+)/gm)].map((m) => ({
    le: m[1]!,
    count: Number(m[2]),
  }));
  const readCount = reads.at(-1)?.count ?? 0;
  out(`tallies reads: ${readCount}, p50 ≤ ${reads.find((b) => b.count >= readCount * 0.5)?.le} s, p99 ≤ ${reads.find((b) => b.count >= readCount * 0.99)?.le} s`);
  const pushedEvents = (await pushed()) - pushedBefore;
  const cpu = cpuAfter - cpuBefore;
  out(`server CPU during the votes: ${cpu.toFixed(2)} s for ${pushedEvents} pushed events = ${((cpu * 1e6) / pushedEvents).toFixed(1)} µs per client event (${((100 * cpu) / elapsed).toFixed(0)}% of one core)`);
  out(`RSS after load with ${clients.length} clients: ${rssMb(pid)} MB`);
  for (const socket of sockets) socket.destroy();
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await db.close();
  await pg.stop();
}
