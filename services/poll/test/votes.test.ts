import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, type ErrorBody } from '@bernstein/common';
import { waitFor } from '@bernstein/local';
import { VOTER_COOKIE } from '../src/voter-cookie.js';
import { FORM_HEADERS, JSON_HEADERS, startHarness, type Harness, useHarness } from './helpers.js';

const vote = (h: Harness, option = 'a') =>
  h.app.inject({ method: 'POST', url: '/api/polls/default/votes', headers: JSON_HEADERS, payload: { option } });

describe('votes while Redis is away', () => {
  const h = useHarness();

  it('answers 503 with Retry-After while Redis is stopped, stays ready (in the load balancer), and recovers without a restart', async () => {
    const accepted = await vote(h, 'a');
    assert.equal(accepted.statusCode, 202);

    await h.server.stop();
    await waitFor('the client to notice', async () => assert.notEqual(h.redis.status, 'ready'));

    const refused = await vote(h, 'b');
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.json<ErrorBody>().error.code, ErrorCode.REDIS_UNAVAILABLE);
    assert.match(refused.json<ErrorBody>().error.message, /Redis is unavailable/);

    const form = await h.app.inject({ method: 'POST', url: '/', headers: FORM_HEADERS, payload: 'vote=b' });
    assert.equal(form.statusCode, 503);
    assert.equal(form.headers['retry-after'], '1');
    assert.match(form.body, /could not be recorded right now/);

    // Still ready: the refusals above must reach voters (and the alert's counter), not
    // be replaced by the proxy's 404 for a service without ready endpoints.
    assert.equal((await h.ops.inject('/readyz')).statusCode, 200, 'readiness does not depend on Redis');
    assert.equal((await h.ops.inject('/healthz')).statusCode, 200, 'liveness does not depend on Redis');
    assert.equal((await h.app.inject('/')).statusCode, 200, 'the page is still served');

    await h.server.restart();
    await waitFor('the client to reconnect', async () => assert.equal(h.redis.status, 'ready'));
    const again = await vote(h, 'c');
    assert.equal(again.statusCode, 202);

    const entries = await h.entries();
    assert.deepEqual(
      entries.map((e) => e.fields.option),
      ['a', 'c'],
      'the acknowledged vote survived the restart (AOF) and the refused ones were never written',
    );
    assert.match(await h.metrics.metrics(), /bernstein_poll_votes_rejected_total\{code="REDIS_UNAVAILABLE",service="poll"\} 2/);
  });

  it('gives a new voter refused with 503 its cookie, so the retry is the same voter', async () => {
    // The vote may have reached Redis before the connection broke: a retry without the
    // cookie would count a second voter. With it, the retry can only repeat that vote.
    await h.server.stop();
    await waitFor('the client to notice', async () => assert.notEqual(h.redis.status, 'ready'));
    const refused = await vote(h, 'a');
    assert.equal(refused.statusCode, 503);
    const cookie = refused.cookies.find((c) => c.name === VOTER_COOKIE);
    assert.ok(cookie, 'the 503 carries the voter cookie');
    const certain = await h.app.inject({ method: 'POST', url: '/api/polls/default/votes', headers: { ...JSON_HEADERS }, payload: { option: 'no-such-option' } });
    assert.equal(certain.cookies.length, 0, 'a vote refused for certain hands out no identity');

    await h.server.restart();
    await waitFor('the client to reconnect', async () => assert.equal(h.redis.status, 'ready'));
    const before = (await h.entries()).length;
    const headers = { ...JSON_HEADERS, cookie: `${VOTER_COOKIE}=${cookie.value}` };
    for (const option of ['a', 'b']) {
      const retried = await h.app.inject({ method: 'POST', url: '/api/polls/default/votes', headers, payload: { option } });
      assert.equal(retried.statusCode, 202);
    }
    const mine = (await h.entries()).slice(before);
    assert.equal(mine.length, 2);
    assert.equal(mine[0]?.fields.voter, mine[1]?.fields.voter, 'both votes are the one voter of the refused request');
  });

  it('answers 503 when Redis hangs instead of holding the request', async () => {
    const pid = h.server.pid as number;
    process.kill(pid, 'SIGSTOP');
    try {
      const refused = await vote(h, 'b');
      assert.equal(refused.statusCode, 503);
      assert.equal(refused.json<ErrorBody>().error.code, ErrorCode.REDIS_UNAVAILABLE);
      assert.equal((await h.ops.inject('/readyz')).statusCode, 200, 'still ready: it answers for itself');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor('Redis to answer again', async () => assert.equal((await vote(h, 'c')).statusCode, 202));
  });

  it('logs an error when Redis refuses the append itself (not a connection problem)', async () => {
    const odd = await startHarness({ VOTES_STREAM: 'not-a-stream' }, h.server);
    try {
      await odd.inspect.set('not-a-stream', 'a plain string');
      const refused = await vote(odd, 'a');
      assert.equal(refused.statusCode, 503);
      assert.equal(refused.json<ErrorBody>().error.code, ErrorCode.REDIS_UNAVAILABLE);
      assert.doesNotMatch(refused.body, /WRONGTYPE/, 'Redis internals stay out of the answer');
      const logged = odd.logLines.find((l) => l.msg === 'redis refused the vote');
      assert.ok(logged, 'the refusal is logged');
      assert.match(JSON.stringify(logged.err), /WRONGTYPE/);
    } finally {
      await odd.inspect.del('not-a-stream');
      await odd.close();
    }
  });
});
