import { Redis } from 'ioredis';
import { RedisServer } from '@bernstein/local';
const s = await RedisServer.start();
const r = new Redis({ host: s.host, port: s.port, enableAutoPipelining: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
await new Promise((res) => r.once('ready', res));
const N = 200000; let done = 0; const t0 = performance.now();
async function worker() { while (done < N) { done++; await r.xadd('votes', '*', 'v', '1', 'poll', 'default', 'voter', 'AAAAAAAAAAAAAAAAAAAAAAAA', 'option', 'b', 'at', String(Date.now())); } }
await Promise.all(Array.from({ length: 50 }, worker));
console.log('xadd/s', Math.round(N / ((performance.now() - t0) / 1000)));
r.disconnect(); await s.stop();
