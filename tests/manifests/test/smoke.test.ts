/**
 * The clusters' smoke test (deploy/cluster/lib.sh smoke_test) run against the real
 * services of a local run: the same API calls it makes through Traefik on a cluster.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, LocalStack } from '@bernstein/local';
import { kubernetesDir } from '../lib/index.js';

const lib = join(kubernetesDir, '..', 'cluster', 'lib.sh');

function smoke(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -euo pipefail; . "${lib}"; smoke_test`], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('cluster smoke test against a real local run', () => {
  let stack: LocalStack;
  before(async () => {
    stack = await LocalStack.start({ fromSource: true, durable: false, pollPort: 0, resultPort: 0, workerPort: 0,
      // Private servers: none of the caller's REDIS_/POSTGRES_ variables, but its PATH and tsx.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: process.env.NODE_OPTIONS },
      output: () => {},
    });
  });
  after(async () => {
    await stack?.stop();
  });

  it('casts a vote and sees the total grow', async () => {
    const r = await smoke({ BERNSTEIN_SMOKE_POLL_URL: stack.pollUrls[0] ?? '', BERNSTEIN_SMOKE_RESULT_URL: stack.resultUrl, BERNSTEIN_SMOKE_WAIT: '30' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /smoke test passed: the vote is counted \(total (\d+) -> (\d+)\)/);
    assert.match(r.stderr, /voted \w+: \{"poll":"default"/);
  });

  it('fails with a clear message when the results do not answer', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await smoke({ BERNSTEIN_SMOKE_POLL_URL: stack.pollUrls[0] ?? '', BERNSTEIN_SMOKE_RESULT_URL: closed, BERNSTEIN_SMOKE_WAIT: '2' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: result\.dop\.io did not answer .* within 2 s/);
  });

  it('fails with a clear message when the poll is unknown', async () => {
    const r = await smoke({
      BERNSTEIN_SMOKE_POLL_URL: stack.pollUrls[0] ?? '',
      BERNSTEIN_SMOKE_RESULT_URL: stack.pollUrls[0] ?? '',
      BERNSTEIN_SMOKE_POLL: 'no-such-poll',
      BERNSTEIN_SMOKE_WAIT: '2',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: result\.dop\.io did not answer/);
  });
});
