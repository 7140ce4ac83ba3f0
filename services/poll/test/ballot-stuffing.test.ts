/**
 * Ballot stuffing over real HTTP: two poll replicas share one Redis, so one limit. One
 * client address floods both with cookie-less votes (each would be a new voter) for a few
 * seconds; it gets its burst plus the refill, nothing more, while voters from other
 * addresses (each its own source address in 127/8, all local on Linux) all get through.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ErrorBody } from '@bernstein/common';
import { startHarness, type Harness } from './helpers.js';

interface Answer {
  status: number;
  body: string;
}

function post(agent: Agent, url: string, body: string, cookie?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('ballot stuffing across two poll replicas', () => {
  const PER_MINUTE = 300;
  const BURST = 60;
  let one: Harness;
  let two: Harness;
  let urls: string[];
  before(async () => {
    // The shipped defaults (300 a minute, bursts of 60), stated so the budget below is exact.
    const env = { NEW_VOTERS_PER_MINUTE: String(PER_MINUTE), NEW_VOTERS_BURST: String(BURST) };
    one = await startHarness(env);
    two = await startHarness(env, one.server);
    urls = [];
    for (const h of [one, two]) {
      urls.push(`${await h.app.listen({ host: '127.0.0.1', port: 0 })}/api/polls/default/votes`);
    }
  });
  after(async () => {
    await two?.close();
    await one?.close();
  });

  it('holds the flooding address to its budget while 40 other addresses all vote', async () => {
    const floodAgent = new Agent({ keepAlive: true, maxSockets: 8, localAddress: '127.0.0.2' });
    const voters = Array.from({ length: 40 }, (_, i) => `127.0.1.${i + 1}`);
    const started = Date.now();
    const floodFor = 3000;
    let floodOk = 0;
    let floodLimited = 0;
    let other = 0;
    const flooders = Array.from({ length: 8 }, async (_, worker) => {
      for (let i = 0; Date.now() - started < floodFor; i++) {
        const answer = await post(floodAgent, urls[(worker + i) % 2] as string, '{"option":"a"}');
        if (answer.status === 202) floodOk++;
        else if (answer.status === 429 && (JSON.parse(answer.body) as ErrorBody).error.code === 'RATE_LIMITED') floodLimited++;
        else other++;
      }
    });
    // The honest voters vote during the flood, each from its own address, on either replica.
    const honest = voters.map(async (address, i) => {
      const agent = new Agent({ keepAlive: false, localAddress: address });
      await new Promise((r) => setTimeout(r, (i * floodFor) / voters.length / 2));
      return post(agent, urls[i % 2] as string, '{"option":"b"}');
    });
    const honestAnswers = await Promise.all(honest);
    await Promise.all(flooders);
    const elapsedS = (Date.now() - started) / 1000;
    floodAgent.destroy();

    assert.deepEqual(honestAnswers.map((a) => a.status), voters.map(() => 202), 'every other address votes');
    assert.equal(other, 0, 'the flood gets only 202 or 429 RATE_LIMITED');
    const budget = BURST + Math.ceil((elapsedS * PER_MINUTE) / 60);
    assert.ok(floodOk >= BURST, `the flood gets at least its burst (${floodOk} accepted)`);
    assert.ok(floodOk <= budget, `the flood gets at most its budget: ${floodOk} accepted, budget ${budget} in ${elapsedS.toFixed(1)} s`);
    assert.ok(floodLimited > floodOk, `most of the flood is refused (${floodLimited} refused)`);

    const entries = await one.entries();
    assert.equal(entries.length, floodOk + voters.length, 'the stream holds the accepted votes and nothing else');
    assert.equal(entries.filter((e) => e.fields.option === 'b').length, voters.length);
    assert.equal(new Set(entries.map((e) => e.fields.voter)).size, entries.length, 'each accepted vote is a new voter');
  });
});
