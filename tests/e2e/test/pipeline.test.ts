/**
 * The whole pipeline as real processes (2 poll, 2 workers, 1 result, private Redis and
 * PostgreSQL): 10,000 votes from 2,000 voters, most of them re-votes. The result API must
 * show exactly the tallies the test computes on its own from the acknowledged votes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { defaultLoadOptions, runLoad } from '@bernstein/load';
import { Expectation, resultTallies, sorted, startStack, type TestStack } from './helpers.js';

describe('pipeline end to end', () => {
  let t: TestStack;
  before(async () => {
    t = await startStack({ polls: 2, workers: 2 });
  });
  after(async () => {
    await t?.close();
  });

  it('counts 10,000 votes from 2,000 voters across 2 poll and 2 worker processes exactly', async () => {
    const mine = new Expectation();
    const report = await runLoad(
      {
        ...defaultLoadOptions,
        pollUrls: t.stack.pollUrls,
        resultUrl: t.stack.resultUrl,
        voters: 2000,
        votes: 10_000,
        revoteShare: 0.5,
        concurrency: 64,
        settleTimeoutMs: 30_000,
        quietMs: 10_000,
      },
      { onAcknowledged: (v) => mine.add(v.poll, v.voter, v.option, v.receipt) },
    );
    assert.equal(t.stack.pollUrls.length, 2);
    assert.equal(t.stack.workers.length, 2);
    assert.equal(report.acknowledged, 10_000, t.logs());
    assert.equal(report.firstVotes, 2000);
    assert.equal(report.rejected, 0);

    const actual = await resultTallies(t.stack.resultUrl, 'default');
    assert.deepEqual(sorted(actual.tallies), sorted(mine.tallies('default')), t.logs());
    assert.equal(actual.total, 2000);
    // The generator's own verdict agrees with the test's.
    assert.equal(report.verification.ok, true, JSON.stringify(report.verification));
    assert.equal(report.ok, true);

    // And the system of record holds one row per voter: nothing twice.
    const db = new pg.Client({
      host: t.stack.postgresEnv.POSTGRES_HOST,
      port: Number(t.stack.postgresEnv.POSTGRES_PORT),
      user: t.stack.postgresEnv.POSTGRES_USER,
      password: t.stack.postgresEnv.POSTGRES_PASSWORD,
      database: t.stack.postgresEnv.POSTGRES_DB,
    });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM votes WHERE poll = 'default'`);
      assert.equal(rows[0]?.n, '2000');
    } finally {
      await db.end();
    }
  });
});
