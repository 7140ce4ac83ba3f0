// The least-privilege analyses: how a Redis start is judged, and the findings whose level or
// wording depends on more than one object (a client refused by a Redis that requires a password,
// a credential read under another name). Exact outcomes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkUnits } from '../src/engine.js';
import { configFileOf, readRedisConf, redisAuth } from '../src/least-privilege/redis-auth.js';
import { loadUnits } from '../src/load/inputs.js';

const none = new Map<string, string | undefined>();
const start = (args: string[], image = 'redis:7.4.6', env = none, configText?: string) => redisAuth({ image, args, env, configText });

describe('redisAuth', () => {
  it('reads --requirepass, --aclfile and a --user rule that closes the default user', () => {
    assert.deepEqual(start(['redis-server', '--requirepass', '$(REDIS_PASSWORD)']), { kind: 'password', how: '--requirepass' });
    assert.deepEqual(start(['redis-server', '--aclfile', '/etc/redis/users.acl']), { kind: 'acl', how: '--aclfile' });
    assert.deepEqual(start(['--user', 'default', 'off', '--user', 'poll', 'on', '>pw', '+xadd']), { kind: 'acl', how: '--user default' });
    assert.deepEqual(start(['sh', '-c', 'exec redis-server --requirepass "$REDIS_PASSWORD"']), { kind: 'password', how: '--requirepass' });
  });

  it('an empty password, an extra user or a default user left nopass authenticates nobody', () => {
    assert.deepEqual(start(['redis-server', '--requirepass', '']), { kind: 'none', protectedModeOff: false });
    assert.deepEqual(start(['--user', 'poll', 'on', '>pw', '~*', '+@all']), { kind: 'none', protectedModeOff: false });
    assert.deepEqual(start(['--user', 'default', 'on', 'nopass', '~*', '+@all', '--protected-mode', 'no']), { kind: 'none', protectedModeOff: true });
    assert.deepEqual(start([]), { kind: 'none', protectedModeOff: false });
  });

  it('reads a redis.conf when the input holds it, and does not judge one it does not', () => {
    assert.equal(configFileOf(['redis-server', '/usr/local/etc/redis/redis.conf', '--port', '6380']), '/usr/local/etc/redis/redis.conf');
    assert.deepEqual(start(['redis-server', '/etc/redis.conf'], 'redis:7', none, 'requirepass "s3cret"\n'), { kind: 'password', how: 'requirepass in /etc/redis.conf' });
    assert.deepEqual(start(['redis-server', '/etc/redis.conf'], 'redis:7', none, 'user default on nopass ~* +@all\nprotected-mode no\n'), { kind: 'none', protectedModeOff: true });
    assert.deepEqual(start(['redis-server', '/etc/redis.conf']), { kind: 'unknown' });
    assert.deepEqual(readRedisConf('# requirepass x\nrequirepass ""\naclfile /a.acl\n'), { password: false, acl: true, protectedModeOff: false });
  });

  it("reads Bitnami's REDIS_PASSWORD and ALLOW_EMPTY_PASSWORD, and only for Bitnami's image", () => {
    const bitnami = 'docker.io/bitnami/redis:7.4.1';
    assert.deepEqual(start([], bitnami, new Map([['REDIS_PASSWORD', undefined]])), { kind: 'password', how: 'REDIS_PASSWORD' });
    assert.deepEqual(start([], bitnami, new Map([['ALLOW_EMPTY_PASSWORD', 'yes']])), { kind: 'none', protectedModeOff: false });
    assert.deepEqual(start([], bitnami), { kind: 'unknown' });
    // The official image ignores REDIS_PASSWORD.
    assert.deepEqual(start([], 'redis:7.4.6', new Map([['REDIS_PASSWORD', 'x']])), { kind: 'none', protectedModeOff: false });
  });
});

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function findings(files: Record<string, string>, rule: string) {
  const dir = mkdtempSync(join(tmpdir(), 'least-privilege-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const units = await loadUnits([dir], { cwd: dir });
  return (await checkUnits(units, { profiles: ['production'], only: [rule] })).map((f) => `${f.severity} ${f.file}:${f.fieldLine} ${f.message}`);
}

const deployment = (name: string, container: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
${container}`;

const job = (name: string, container: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers:
${container}`;

describe('redis-no-auth', () => {
  it('a client without REDIS_PASSWORD is an error when every Redis of the input requires one (NOAUTH)', async () => {
    const redis = deployment('redis', `        - name: redis
          image: redis:7.4.6
          args: ["--requirepass", "$(REDIS_PASSWORD)"]
`);
    const poll = deployment('poll', `        - name: poll
          image: example/poll:1.0.0
          env:
            - {name: REDIS_HOST, value: redis}
`);
    assert.deepEqual(await findings({ 'all.yaml': `${redis}---\n${poll}` }, 'redis-no-auth'), [
      'error all.yaml:29 container "poll" of Deployment "poll" connects to Redis (REDIS_HOST) without REDIS_PASSWORD, but every Redis of the input requires one: each command is refused with NOAUTH',
    ]);
  });

  it('the same in compose', async () => {
    const compose = `services:
  redis:
    image: redis:7.4.6
    command: ["redis-server", "--requirepass", "\${REDIS_PASSWORD:?}"]
  worker:
    image: example/worker:1.0.0
    environment:
      REDIS_HOST: redis
`;
    assert.deepEqual(await findings({ 'compose.yaml': compose }, 'redis-no-auth'), [
      'error compose.yaml:7 service "worker" connects to Redis (REDIS_HOST) without REDIS_PASSWORD, but every Redis of the file requires one: each command is refused with NOAUTH',
    ]);
  });
});

describe('shared-db-credentials', () => {
  it("a client reading the migration's password key under another Secret's envFrom prefix is found", async () => {
    const migrate = job('migrate', `        - name: flyway
          image: flyway/flyway:10.20.0
          args: ["migrate"]
          env:
            - name: FLYWAY_PASSWORD
              valueFrom:
                secretKeyRef: {name: db-owner, key: password}
`);
    const app = deployment('app', `        - name: app
          image: example/app:1.0.0
          envFrom:
            - secretRef: {name: db-owner}
              prefix: DB_
`);
    assert.deepEqual(await findings({ 'all.yaml': `${migrate}---\n${app}` }, 'shared-db-credentials'), [
      'warning all.yaml:30 container "app" of Deployment "app" reads DB_password from the same Secret key (Secret "db-owner") as the migration owner (Job "migrate"): it connects with their rights (it could rewrite tallies or drop tables) instead of a role of its own',
    ]);
  });

  it('the passwords migration hands to service roles are not the owner\'s', async () => {
    const migrate = job('migrate', `        - name: migrate
          image: example/worker:1.0.0
          command: ["node", "dist/migrate.js"]
          env:
            - name: POSTGRES_RESULT_PASSWORD
              valueFrom:
                secretKeyRef: {name: postgres-result, key: password}
`);
    const result = deployment('result', `        - name: result
          image: example/result:1.0.0
          env:
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef: {name: postgres-result, key: password}
`);
    assert.deepEqual(await findings({ 'all.yaml': `${migrate}---\n${result}` }, 'shared-db-credentials'), []);
  });
});
