import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog, ErrorCode, LivePolls, type BernsteinError } from '@bernstein/common';
import { PollViews, quote, requireOption } from '../src/poll-views.js';
import { configured, POLLS } from './helpers.js';

describe('PollViews', () => {
  const views = new PollViews(new LivePolls(catalog(POLLS)), 'https://results.example/');

  it('serves the default poll at / and the others under /polls/<id>', () => {
    assert.equal(views.defaultView.path, '/');
    assert.equal(views.get('lunch')?.path, '/polls/lunch');
    assert.deepEqual(views.ids, ['default', 'lunch']);
  });

  it('precomputes the API bodies', () => {
    assert.deepEqual(JSON.parse(views.listJson), { polls: POLLS.map(configured) });
    assert.deepEqual(JSON.parse(views.get('lunch')?.json ?? ''), configured(POLLS[1]));
  });

  it('finds options by id and names the valid ones otherwise', () => {
    const view = views.defaultView;
    assert.equal(requireOption(view, 'c'), 2);
    assert.throws(
      () => requireOption(view, 'pizza'),
      (err: BernsteinError) =>
        err.code === ErrorCode.OPTION_UNKNOWN && err.status === 400 && /"pizza"; valid options are: a, b, c/.test(err.message),
    );
  });

  it('answers POLL_NOT_FOUND for unknown polls, with the id bounded in the message', () => {
    assert.throws(
      () => views.require('x'.repeat(500)),
      (err: BernsteinError) => err.code === ErrorCode.POLL_NOT_FOUND && err.status === 404 && err.message.length < 120,
    );
  });

  it('quotes client input as JSON, cut at 64 characters', () => {
    assert.equal(quote('a"b'), '"a\\"b"');
    assert.equal(quote('y'.repeat(100)), `"${'y'.repeat(64)}…"`);
  });
});
