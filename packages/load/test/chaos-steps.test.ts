import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChaosSteps } from '../src/chaos-steps.js';

/** A step that runs until `finish()` is called, recording when it started. */
function gate(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { action: async () => { log.push(`start ${name}`); await done; log.push(`end ${name}`); }, finish: () => finish() };
}

function reporter() {
  const events: string[] = [];
  const failures: string[] = [];
  return { events, failures, report: { event: (t: string) => events.push(t), failed: (t: string) => failures.push(t) } };
}

describe('the chaos run steps', () => {
  it('skips a kill that comes due while another step runs, and says so; it never queues kills', async () => {
    const log: string[] = [];
    const r = reporter();
    const steps = new ChaosSteps(r.report);
    const slowKill = gate(log, 'kill 1');
    assert.equal(steps.ifIdle('kill worker 1', slowKill.action), true, 'the first kill starts');
    assert.equal(steps.ifIdle('kill worker 2', async () => log.push('kill 2')), false, 'a second kill is skipped');
    assert.equal(steps.ifIdle('kill worker 3', async () => log.push('kill 3')), false, 'and a third');
    slowKill.finish();
    await steps.idle();
    assert.deepEqual(log, ['start kill 1', 'end kill 1']);
    assert.equal(steps.skipped, 2);
    assert.ok(r.events.some((e) => /kill worker 2: skipped, "kill worker 1" is not over yet/.test(e)), r.events.join('\n'));
    assert.equal(steps.ifIdle('kill worker 4', async () => log.push('kill 4')), true, 'idle again: the next kill starts');
    await steps.idle();
    assert.deepEqual(log.at(-1), 'kill 4');
  });

  it('never skips a database fault: it runs right after the step in its way, and resolves when over', async () => {
    const log: string[] = [];
    const r = reporter();
    const steps = new ChaosSteps(r.report);
    const slowKill = gate(log, 'kill');
    steps.ifIdle('kill worker', slowKill.action);
    const fault = steps.always('restart PostgreSQL', async () => log.push('postgres restarted'));
    assert.equal(steps.ifIdle('kill worker again', async () => log.push('kill again')), false, 'a kill behind a waiting fault is skipped');
    slowKill.finish();
    assert.equal(await fault, true, 'the fault happened, late');
    assert.deepEqual(log, ['start kill', 'end kill', 'postgres restarted']);
    assert.deepEqual(r.failures, []);
  });

  it('reports a failed step as a failure, and starts nothing after drop()', async () => {
    const r = reporter();
    const steps = new ChaosSteps(r.report);
    assert.equal(await steps.always('restart Redis', () => Promise.reject(new Error('redis-server would not start'))), false);
    assert.deepEqual(r.failures, ['restart Redis failed: redis-server would not start']);
    steps.drop();
    let ran = false;
    assert.equal(steps.ifIdle('kill worker', async () => (ran = true)), false);
    assert.equal(await steps.always('restart PostgreSQL', async () => (ran = true)), false);
    assert.equal(ran, false, 'nothing started after drop()');
    assert.ok(r.events.includes('restart PostgreSQL: not started, the run is stopping'), r.events.join('\n'));
  });
});
