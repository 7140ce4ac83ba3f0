/**
 * The verifier is only worth something if it fails when votes are lost or counted twice:
 * here the system is broken on purpose (no worker; a tally bumped behind its back) and the
 * load run must say so, with the right numbers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { defaultLoadOptions, runLoad, type LoadOptions } from '@bernstein/load';
import { resultTallies, startStack, type TestStack } from './helpers.js';

describe('exactly-once verifier against a broken system', () => {
  let t: TestStack;
  let options: LoadOptions;
  before(async () => {
    t = await startStack({ workers: 1 });
    options = {
      ...defaultLoadOptions,
      pollUrls: t.stack.pollUrls,
      resultUrl: t.stack.resultUrl,
      voters: 200,
      votes: 200,
      revoteShare: 0,
      concurrency: 16,
      settleTimeoutMs: 4000,
      quietMs: 1500,
    };
  });
  after(async () => {
    await t?.close();
  });

  it('reports votes that never reach the tallies as lost', async () => {
    for (const w of t.stack.workers) await w.kill();
    const report = await runLoad(options);
    assert.equal(report.acknowledged, 200);
    assert.equal(report.ok, false);
    assert.equal(report.settle.settled, false);
    assert.equal(report.verification.missing, 200);
    assert.equal(report.verification.extra, 0);

    // They were only queued: a worker counts them.
    await t.stack.addWorker();
    const deadline = Date.now() + 20_000;
    while ((await resultTallies(t.stack.resultUrl, 'default')).total !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await resultTallies(t.stack.resultUrl, 'default')).total, 200, t.logs());
  });

  it('reports a vote counted twice as double-counted, on its option', async () => {
    const e = t.stack.postgresEnv;
    const report = await runLoad(options, {
      // After the load, before settling: one more 'a' in the tallies than anyone voted.
      beforeSettle: async () => {
        const deadline = Date.now() + 20_000;
        while ((await resultTallies(t.stack.resultUrl, 'default')).total < 400 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        const db = new pg.Client({ host: e.POSTGRES_HOST, port: Number(e.POSTGRES_PORT), user: e.POSTGRES_USER, password: e.POSTGRES_PASSWORD, database: e.POSTGRES_DB });
        await db.connect();
        try {
          await db.query(`UPDATE tallies SET votes = votes + 1 WHERE poll = 'default' AND option = 'a'`);
          await db.query(`SELECT pg_notify('bernstein_tallies', 'default')`);
        } finally {
          await db.end();
        }
      },
    });
    assert.equal(report.acknowledged, 200);
    assert.equal(report.ok, false);
    assert.equal(report.verification.missing, 0);
    assert.equal(report.verification.extra, 1);
    assert.deepEqual(report.verification.polls[0]?.delta, { a: 1 });
  });
});
