/**
 * result: how many SSE clients one result instance holds while it broadcasts updates, and
 * its memory per client. Clients connect in steps (RSS recorded at each); then tally changes
 * are written straight into PostgreSQL (the trigger's NOTIFY drives the broadcast, as the
 * worker's commits do) and the time until every client has received each update is measured.
 */
import pg from 'pg';
import type { BenchContext } from '../lib/context.js';
import { rssMB } from '../lib/rss.js';
import { openMany, type SseClient } from '../lib/sse-clients.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { startService } from '../lib/services.js';
import { targets } from '../lib/targets.js';

const PATH = '/api/polls/default/events';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** Commits `n` votes one by one; for each, the time until every open client received the update. */
async function broadcast(db: pg.Client, clients: SseClient[], n: number, pauseMs: number): Promise<number[]> {
  const fanOut: number[] = [];
  for (let u = 1; u <= n; u++) {
    const before = clients.map((c) => c.events);
    const t0 = performance.now();
    await db.query(`INSERT INTO votes (poll, voter, option, stream_ms, stream_seq, voted_at) VALUES ('default', $1, 'a', $2, 0, now())`, [
      `benchsse${String(u).padStart(12, '0')}${Date.now()}`,
      Date.now(),
    ]);
    const deadline = t0 + 30_000;
    while (clients.some((c, i) => !c.closed && c.events <= (before[i] as number)) && performance.now() < deadline) await sleep(2);
    fanOut.push(performance.now() - t0);
    await sleep(pauseMs);
  }
  return fanOut;
}

export async function resultBenchmark(ctx: BenchContext): Promise<void> {
  const r = ctx.recorder;
  const target = ctx.smoke ? 60 : 5000;
  const step = ctx.smoke ? 20 : 1000;
  const updates = ctx.smoke ? 3 : 20;
  // It measures what streams cost, all from one address: the per-process and per-client caps
  // (SSE_MAX_STREAMS*) would refuse most of them, so they are lifted here.
  const result = await startService({ service: 'result', env: { ...ctx.postgres.env, SSE_MAX_STREAMS: '1000000', SSE_MAX_STREAMS_PER_CLIENT: '1000000' }, fromSource: ctx.fromSource, profileDir: ctx.profileDir, nodeOptions: ctx.serviceNodeOptions });
  const port = Number(new URL(result.url).port);
  const db = new pg.Client(ctx.postgres.connection);
  await db.connect();
  const clients: SseClient[] = [];
  const command = 'npm run bench -- result';
  try {
    await sleep(ctx.smoke ? 200 : 2000);
    const idle = rssMB(result.pid) ?? 0;
    const curve: { clients: number; rssMB: number }[] = [{ clients: 0, rssMB: idle }];
    while (clients.length < target) {
      clients.push(...(await openMany(port, PATH, Math.min(step, target - clients.length))));
      await sleep(ctx.smoke ? 100 : 1000);
      curve.push({ clients: clients.length, rssMB: rssMB(result.pid) ?? 0 });
      ctx.log(`result: ${clients.length} SSE clients, RSS ${curve.at(-1)?.rssMB} MB`);
    }
    const fanOut = await broadcast(db, clients, updates, ctx.smoke ? 50 : 250);
    const loaded = rssMB(result.pid) ?? 0;
    const held = clients.filter((c) => !c.closed && c.events >= 1 + updates).length;
    const sorted = [...fanOut].sort((a, b) => a - b);
    r.add({ id: 'result.sseClientsHeld', label: `result: SSE clients held that received all ${updates} broadcasts`, value: held, unit: 'clients', kind: 'ours', command, target: targets.sseClients });
    r.add({ id: 'result.memoryPerClient', label: 'result: memory per SSE client (RSS growth / clients)', value: ((loaded - idle) * 1000) / Math.max(1, clients.length), unit: 'kB', kind: 'ours', command });
    r.add({ id: 'result.fanOut.p50', label: `result: commit → all ${clients.length} clients have the update, p50`, value: percentile(sorted, 50), unit: 'ms', kind: 'ours', command });
    r.add({ id: 'result.fanOut.max', label: `result: commit → all ${clients.length} clients have the update, max`, value: sorted.at(-1) ?? Number.NaN, unit: 'ms', kind: 'ours', command });
    r.add({ id: 'rss.result.sse', label: `result RSS with ${clients.length} SSE clients`, value: loaded, unit: 'MB', kind: 'ours', command });

    // Headroom: keep adding clients up to twice the target (or the first refusal), broadcast again.
    let refused: string | undefined;
    while (clients.length < 2 * target && refused === undefined) {
      try {
        clients.push(...(await openMany(port, PATH, step)));
      } catch (err) {
        refused = (err as Error).message;
      }
      await sleep(ctx.smoke ? 100 : 1000);
      curve.push({ clients: clients.length, rssMB: rssMB(result.pid) ?? 0 });
      ctx.log(`result: ${clients.length} SSE clients, RSS ${curve.at(-1)?.rssMB} MB${refused ? ` (refused: ${refused})` : ''}`);
    }
    const moreUpdates = ctx.smoke ? 2 : 5;
    const before = clients.map((c) => c.events);
    const fanOutMore = await broadcast(db, clients, moreUpdates, ctx.smoke ? 50 : 250);
    const heldMore = clients.filter((c, i) => !c.closed && c.events >= (before[i] as number) + moreUpdates).length;
    r.add({
      id: 'result.sseClientsHeadroom',
      label: `result: SSE clients held, ramping on to ${2 * target} (each received ${moreUpdates} more broadcasts)`,
      value: heldMore,
      unit: 'clients',
      kind: 'ours',
      command,
      note: `commit → all clients have the update, max ${Math.round(Math.max(...fanOutMore))} ms; RSS ${rssMB(result.pid)} MB${refused ? `; stopped: ${refused}` : ''}`,
    });
    r.details.result = { attempted: target, connected: clients.length, updates, fanOutMs: fanOut, fanOutHeadroomMs: fanOutMore, rssCurve: curve, coalesceMs: 50, refused };
  } finally {
    for (const c of clients) c.socket.destroy();
    await db.end();
    await result.stop();
  }
}
