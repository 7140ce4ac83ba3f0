#!/usr/bin/env node
// Quick loopback throughput of ONE poll process (not a benchmark suite: see bench/ for those).
// Starts a private Redis (AOF, everysec, as shipped) and the built poll server, warms up, then
// drives POST /api/polls/default/votes with autocannon and prints one JSON line.
//
//   npm run build && node bench/tools/poll-throughput.mjs [new|returning] [seconds] [connections]
//
// new:       no cookie, so every vote mints and signs a new voter id (Set-Cookie on each answer);
// returning: one voter's signed cookie on every request (verify only, no Set-Cookie).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { freePort, RedisServer, waitFor } from '@bernstein/local';

/** User + system CPU seconds of a process so far, from /proc (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

const [mode = 'new', seconds = '10', connections = '50'] = process.argv.slice(2);
if (mode !== 'new' && mode !== 'returning') throw new Error(`mode must be "new" or "returning", got ${mode}`);

const redis = await RedisServer.start();
const port = await freePort();
const opsPort = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = fileURLToPath(new URL('../../services/poll/dist/server.js', import.meta.url));
// One address and (returning) one voter send every vote: the vote limits are raised so they are
// checked on every vote (the same Redis function) but never refuse one.
const limits = { NEW_VOTERS_PER_MINUTE: '60000000', NEW_VOTERS_BURST: '100000', VOTE_CHANGES_PER_MINUTE: '60000000', VOTE_CHANGES_BURST: '100000' };
const env = { PATH: process.env.PATH, ...redis.env, ...limits, HOST: '127.0.0.1', PORT: String(port), OPS_PORT: String(opsPort), COOKIE_SECRET: 'throughput-'.repeat(4), LOG_LEVEL: 'warn' };
const poll = spawn(process.execPath, [server], { env, stdio: 'inherit' });
try {
  await waitFor('poll server', async () => {
    const res = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    if (res.status !== 200) throw new Error(`readyz ${res.status}`);
  });
  let cookie;
  if (mode === 'returning') {
    const res = await fetch(`${base}/api/polls/default/votes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"option":"a"}' });
    cookie = res.headers.get('set-cookie').split(';')[0];
  }
  const run = (duration) =>
    autocannon({
      url: `${base}/api/polls/default/votes`,
      method: 'POST',
      connections: Number(connections),
      duration,
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: '{"option":"b"}',
    });
  await run(3); // warm-up: JIT, connection pools
  const cpuBefore = cpuSeconds(poll.pid);
  const r = await run(Number(seconds));
  const cpuUsed = cpuSeconds(poll.pid) - cpuBefore;
  const probe = new Redis({ host: redis.host, port: redis.port });
  const streamLength = await probe.xlen('votes');
  probe.disconnect();
  console.log(
    JSON.stringify({
      mode,
      connections: Number(connections),
      seconds: Number(seconds),
      votesPerSecond: r.requests.average,
      accepted: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors,
      latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
      // CPU time the poll process spent per request: comparable across runs on a busy machine.
      cpuMicrosPerVote: Math.round((cpuUsed / r.requests.total) * 1e6),
      streamLength,
    }),
  );
} finally {
  poll.kill('SIGTERM');
  await new Promise((resolve) => poll.once('exit', resolve));
  await redis.stop();
  rmSync(redis.dir, { recursive: true, force: true });
}
