import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BernsteinError, DEFAULT_POLL_ID, loadPolls } from '@bernstein/common';

function rejects(src: Parameters<typeof loadPolls>[0], variable: string, pattern: RegExp): void {
  assert.throws(
    () => loadPolls(src),
    (err: unknown) => {
      assert.ok(err instanceof BernsteinError);
      assert.equal((err.details?.problems as { variable: string }[])[0]?.variable, variable);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('polls definition', () => {
  it('defaults to the course poll with options a to d', () => {
    const catalog = loadPolls({});
    assert.equal(catalog.defaultPoll.id, DEFAULT_POLL_ID);
    assert.deepEqual(catalog.defaultPoll.options.map((o) => o.id), ['a', 'b', 'c', 'd']);
  });

  it('uses only the OPTION_ variables that are set, with their labels', () => {
    const catalog = loadPolls({ optionA: 'Tabs', optionB: 'Spaces' });
    assert.deepEqual(catalog.defaultPoll.options, [
      { id: 'a', label: 'Tabs' },
      { id: 'b', label: 'Spaces' },
    ]);
    assert.ok(catalog.hasOption(catalog.defaultPoll, 'b'));
    assert.ok(!catalog.hasOption(catalog.defaultPoll, 'c'));
  });

  it('refuses a default poll with fewer than two options', () => {
    rejects({ optionA: 'Alone' }, 'OPTION_A', /at least two/);
  });

  it('reads POLLS as JSON next to the default poll, which POLLS may redefine as "default"', () => {
    const polls = JSON.stringify([
      { id: 'lunch', question: 'Lunch?', options: [{ id: 'pizza', label: 'Pizza' }, { id: 'salad', label: 'Salad' }] },
      { id: 'default', question: 'Main?', options: [{ id: 'x', label: 'X' }, { id: 'y', label: 'Y' }] },
    ]);
    const catalog = loadPolls({ polls });
    assert.equal(catalog.defaultPoll.id, 'default');
    assert.equal(catalog.get('lunch')?.options.length, 2);
    assert.equal(catalog.get('default')?.question, 'Main?');
    const added = loadPolls({ polls: JSON.stringify([(JSON.parse(polls) as unknown[])[0]]), optionA: 'Tea', optionB: 'Coffee' });
    assert.deepEqual(added.polls.map((p) => p.id), ['default', 'lunch']);
    assert.equal(added.defaultPoll.id, 'default');
    assert.deepEqual(added.defaultPoll.options.map((o) => o.label), ['Tea', 'Coffee']);
  });

  it('reads POLLS_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bernstein-polls-'));
    try {
      const file = join(dir, 'polls.json');
      writeFileSync(file, JSON.stringify([{ id: 'p', question: 'Q?', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] }]));
      assert.deepEqual(loadPolls({ pollsFile: file }).polls.map((p) => p.id), ['default', 'p']);
      rejects({ pollsFile: join(dir, 'missing.json') }, 'POLLS_FILE', /cannot read .*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the problem in a bad definition', () => {
    rejects({ polls: '{' }, 'POLLS', /not valid JSON/);
    rejects({ polls: '[]' }, 'POLLS', /non-empty JSON array/);
    rejects({ polls: '[{"id":"Bad Id","question":"Q","options":[]}]' }, 'POLLS', /"id" must match/);
    rejects(
      { polls: '[{"id":"p","question":"Q","options":[{"id":"a","label":"A"},{"id":"a","label":"B"}]}]' },
      'POLLS',
      /duplicate option id "a"/,
    );
    rejects({ polls: '[{"id":"p","question":"Q","options":[{"id":"a","label":"A"}]}]' }, 'POLLS', /2 to 50 options/);
    rejects({ polls: '[]', pollsFile: 'x' }, 'POLLS_FILE', /either POLLS or POLLS_FILE/);
  });
});
