/** The ACL file command: each user's password from its own variable, the previous one kept during a rotation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aclPasswordHash } from '@bernstein/common';
import { aclFromEnv } from '../src/redis-acl.js';

describe('redis-acl command', () => {
  it('writes the users whose passwords are set, with the previous password during a rotation', () => {
    const text = aclFromEnv({
      REDIS_ACL_POLL_PASSWORD: 'poll-password-0123456789',
      REDIS_ACL_WORKER_PASSWORD: 'new-worker-password-0123',
      REDIS_ACL_WORKER_PREVIOUS_PASSWORD: 'old-worker-password-0123',
      VOTES_STREAM: 'ballots',
    });
    const lines = text.trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 3).join(' ')), ['user default off', 'user poll on', 'user worker on']);
    assert.ok(lines[2]?.includes(`resetpass ${aclPasswordHash('old-worker-password-0123')} ${aclPasswordHash('new-worker-password-0123')} `));
    assert.match(lines[1] ?? '', / ~ballots /);
    assert.ok(!text.includes('password-0123'));
  });

  it('refuses to write a file that lets no one in', () => {
    assert.throws(() => aclFromEnv({}), /no REDIS_ACL_<USER>_PASSWORD is set/);
  });
});
