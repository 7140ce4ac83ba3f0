import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GiveUp, RedisServer, waitFor } from '@bernstein/local';

describe('waitFor', () => {
  it('retries until the attempt succeeds', async () => {
    let calls = 0;
    const value = await waitFor('thing', async () => {
      calls++;
      if (calls < 3) throw new Error('not yet');
      return 'up';
    }, 5000, 1);
    assert.equal(value, 'up');
    assert.equal(calls, 3);
  });

  it('stops at once when an attempt gives up, naming why', async () => {
    let calls = 0;
    await assert.rejects(
      waitFor('thing', async () => {
        calls++;
        throw new GiveUp('the process exited (code 9)');
      }, 60_000, 1),
      /^Error: thing: the process exited \(code 9\)$/,
    );
    assert.equal(calls, 1);
  });

  it('reports the last error when time runs out', async () => {
    await assert.rejects(waitFor('thing', async () => Promise.reject(new Error('refused')), 30, 5), /thing not ready after 30 ms: refused/);
  });
});

describe('RedisServer', () => {
  it('fails with "exited" (not a time-out) when redis-server cannot start', async () => {
    const first = await RedisServer.start();
    try {
      // Same port: the second server exits with "Address already in use".
      await assert.rejects(RedisServer.start({ port: first.port }), /redis-server exited; see .*redis\.log/);
    } finally {
      await first.stop();
    }
  });
});
