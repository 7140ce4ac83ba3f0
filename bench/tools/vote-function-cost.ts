// Benchmark (not a test): Redis's own time per call of poll's vote function against a bare
// XADD, from Redis's INFO commandstats (usec_per_call: time inside Redis, no network, no
// fsync), so the figure hardly depends on what else the machine is doing.
// Usage: node --conditions=source --import=tsx bench/tools/vote-function-cost.ts [calls] [--acl]
// A private redis-server (AOF, appendfsync always, as shipped) and redis-benchmark, 50 clients,
// a new limit key per call (`__rand_int__`): the limiter's worst case. With --acl, Redis runs
// with the shipped ACL users (default user off) and the calls come from the `poll` user.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Redis } from '@bernstein/common';
import { RedisServer } from '@bernstein/local';
import { BALLOT_LIBRARY_CODE, gcraArgs, VOTE_FUNCTION } from '../../services/poll/src/ballot-box.js';
import { redisBenchmarkBinary } from '../lib/ceilings.js';

const acl = process.argv.includes('--acl');
const calls = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const server = await RedisServer.start({ appendfsync: 'always', ...(acl ? { acl: true, stream: 'votes' } : {}) });
const redis = new Redis(server.clientOptions());
const as = acl ? ['--user', 'poll', '-a', server.passwords?.poll ?? ''] : [];
try {
  await redis.function('LOAD', 'REPLACE', BALLOT_LIBRARY_CODE);
  const [interval, tolerance] = gcraArgs({ perMinute: 60_000_000, burst: 100_000 });
  const cases: [string, string[]][] = [
    ['XADD of a vote (the vote path before the limits)', ['XADD', 'votes', '*', 'v', '1', 'poll', 'default', 'voter', 'voter__rand_int__', 'option', 'a', 'at', '1796000000000']],
    [`${VOTE_FUNCTION}, a poll of the configuration`, ['FCALL', VOTE_FUNCTION, '2', 'votes', 'votes:limit:address:__rand_int__', interval, tolerance, 'default', 'voter__rand_int__', 'a']],
  ];
  console.log(acl ? 'ACL users on; calls as the poll user\n' : 'no ACL\n');
  console.log(`| Call | Redis's own time per call | commands it ran, µs each |\n|---|---|---|`);
  for (const [label, command] of cases) {
    await redis.config('RESETSTAT');
    execFileSync(redisBenchmarkBinary(), ['-h', server.host, '-p', String(server.port), ...as, '-c', '50', '-n', String(calls), '-r', '100000000', ...command], { stdio: 'ignore' });
    const stats = Object.fromEntries(
      (await redis.info('commandstats'))
        .split('\n')
        .map((line) => /^cmdstat_(\w+):calls=(\d+),usec=\d+,usec_per_call=([\d.]+)/.exec(line.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1] as string, { calls: Number(m[2]), usec: Number(m[3]) }]),
    );
    const top = command[0]?.toLowerCase() ?? '';
    // AUTH is once per connection, not per call.
    const inner = Object.entries(stats).filter(([name]) => name !== top && !['config', 'info', 'auth'].includes(name));
    console.log(`| ${label} | ${stats[top]?.usec.toFixed(2)} µs | ${inner.map(([n, s]) => `${n.toUpperCase()} ${s.usec.toFixed(2)}`).join(', ') || '—'} |`);
  }
} finally {
  redis.disconnect();
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}
