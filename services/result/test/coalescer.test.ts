import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Coalescer } from '../src/coalescer.js';

/** A run function whose runs the test finishes by hand, so no outcome depends on timing. */
function gatedRuns() {
  const started: string[] = [];
  const gates: (() => void)[] = [];
  const run = (key: string) => {
    started.push(key);
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  return { started, run, release: () => gates.shift()?.() };
}

const settle = () => new Promise((r) => setImmediate(r));

/** Waits (bounded) until `check` holds: a follow-up run may wait as long as the last run took. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('Coalescer', () => {
  it('runs a lone signal at once', () => {
    const g = gatedRuns();
    const c = new Coalescer(60_000, g.run, () => undefined);
    c.signal('p');
    assert.deepEqual(g.started, ['p']);
    g.release();
    c.close();
  });

  it('merges every signal that arrives during a run into exactly one more run', async () => {
    const g = gatedRuns();
    const c = new Coalescer(0, g.run, () => undefined);
    c.signal('p');
    for (let i = 0; i < 100; i++) c.signal('p');
    assert.equal(g.started.length, 1, 'never two runs of one key at once');
    g.release();
    await until(() => g.started.length === 2);
    assert.equal(g.started.length, 2, 'one follow-up run covers all 100 signals');
    g.release();
    await until(() => !c.busy);
    assert.equal(g.started.length, 2);
    assert.equal(c.busy, false);
    c.close();
  });

  it('holds signals inside the window for one run at its end, per key', async () => {
    const g = gatedRuns();
    const c = new Coalescer(60_000, g.run, () => undefined);
    c.signal('p');
    g.release();
    await settle();
    for (let i = 0; i < 50; i++) c.signal('p');
    c.signal('q');
    assert.deepEqual(g.started, ['p', 'q'], 'p waits for its window, q runs at once');
    assert.equal(c.busy, true, 'a run of p is scheduled');
    c.close();
    assert.equal(c.busy, false, 'close cancels scheduled runs');
  });

  it('after a long run, waits at least as long before the next run of that key', async () => {
    const g = gatedRuns();
    const c = new Coalescer(0, g.run, () => undefined);
    c.signal('p');
    await new Promise((r) => setTimeout(r, 300)); // the run takes ≥ 300 ms
    g.release();
    await settle();
    c.signal('p');
    assert.deepEqual(g.started, ['p'], 'the next run is held back, not started at once');
    assert.equal(c.busy, true);
    c.close();
  });

  it('reports a failed run and keeps working', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const c = new Coalescer(0, async () => {
      runs++;
      throw new Error('boom');
    }, (_key, err) => errors.push(err));
    c.signal('p');
    await until(() => !c.busy);
    c.signal('p');
    await until(() => runs === 2 && !c.busy);
    assert.equal(runs, 2);
    assert.equal(errors.length, 2);
    c.close();
  });
});
