import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BernsteinError,
  ErrorCode,
  loadConfig,
  pollServiceSpec,
  redact,
  resultServiceSpec,
  serviceSpecs,
  workerServiceSpec,
} from '@bernstein/common';

const courseEnv = {
  REDIS_HOST: 'redis',
  POSTGRES_HOST: 'postgres',
  POSTGRES_PORT: '5432',
  POSTGRES_DB: 'postgres',
  POSTGRES_USER: 'postgres',
  POSTGRES_PASSWORD: 'password',
};

function problemsOf(fn: () => unknown): { variable: string; problem: string }[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BernsteinError);
    assert.equal(err.code, ErrorCode.CONFIG_INVALID);
    return err.details?.problems as { variable: string; problem: string }[];
  }
  assert.fail('expected the configuration to be rejected');
}

describe('configuration schema', () => {
  it('accepts the course variables as-is and applies defaults', () => {
    const worker = loadConfig(workerServiceSpec, courseEnv);
    assert.equal(worker.redisHost, 'redis');
    assert.equal(worker.redisPort, 6379);
    assert.equal(worker.postgresPort, 5432);
    assert.equal(worker.postgresDb, 'postgres');
    assert.equal(worker.port, 8080);
    assert.equal(worker.batchSize, 500);
    const poll = loadConfig(pollServiceSpec, { REDIS_HOST: 'redis' });
    assert.equal(poll.port, 80);
    assert.equal(poll.cookieSecret, undefined);
  });

  it('names every missing required variable at once', () => {
    const problems = problemsOf(() => loadConfig(resultServiceSpec, {}));
    assert.deepEqual(
      problems.map((p) => p.variable).sort(),
      ['POSTGRES_DB', 'POSTGRES_HOST', 'POSTGRES_PASSWORD', 'POSTGRES_USER'],
    );
    assert.ok(problems.every((p) => p.problem.startsWith('is required')));
  });

  it('rejects malformed values and says what was expected', () => {
    const problems = problemsOf(() =>
      loadConfig(workerServiceSpec, { ...courseEnv, REDIS_PORT: 'abc', BATCH_SIZE: '0', LOG_LEVEL: 'loud' }),
    );
    const byVar = new Map(problems.map((p) => [p.variable, p.problem]));
    assert.match(byVar.get('REDIS_PORT') ?? '', /port number.*"abc"/);
    assert.match(byVar.get('BATCH_SIZE') ?? '', /at least 1/);
    assert.match(byVar.get('LOG_LEVEL') ?? '', /one of fatal, error/);
  });

  it('never echoes a secret value in an error', () => {
    const problems = problemsOf(() => loadConfig(pollServiceSpec, { REDIS_HOST: 'redis', COOKIE_SECRET: 'short-secret' }));
    const message = problems.find((p) => p.variable === 'COOKIE_SECRET')?.problem ?? '';
    assert.match(message, /at least 32 characters/);
    assert.doesNotMatch(message, /short-secret/);
  });

  it('treats an empty variable as unset', () => {
    const problems = problemsOf(() => loadConfig(pollServiceSpec, { REDIS_HOST: '' }));
    assert.deepEqual(problems.map((p) => p.variable), ['REDIS_HOST']);
  });

  it('redacts secrets in the start-up view', () => {
    const config = loadConfig(workerServiceSpec, courseEnv);
    const view = redact(workerServiceSpec, config);
    assert.equal(view.POSTGRES_PASSWORD, '[redacted]');
    assert.equal(view.POSTGRES_HOST, 'postgres');
  });

  it('declares each variable name once per service', () => {
    for (const [service, spec] of Object.entries(serviceSpecs)) {
      const names = Object.values(spec).map((v) => v.name);
      assert.equal(new Set(names).size, names.length, `duplicate variable in ${service}`);
    }
  });
});
