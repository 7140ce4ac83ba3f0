import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { run, USAGE } from '@bernstein/cli';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const fixtures = fileURLToPath(new URL('../../check/test/fixtures/deployments/', import.meta.url));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

describe('bernstein command', () => {
  it('prints usage for help (exit 0) and without a command (exit 2)', async () => {
    const help = capture();
    assert.equal(await run(['help'], help.io), 0);
    assert.equal(help.out.join(''), `${USAGE}\n`);
    const none = capture();
    assert.equal(await run([], none.io), 2);
    assert.match(none.err.join(''), /usage: bernstein <command>/);
  });

  it('names an unknown command and exits 2', async () => {
    const c = capture();
    assert.equal(await run(['deploy'], c.io), 2);
    assert.match(c.err.join(''), /unknown command "deploy"/);
  });

  it('passes arguments and the exit code through to bernstein check', () => {
    const clean = spawnSync(process.execPath, [bin, 'check', '--profile', 'bernstein', `${fixtures}bernstein-complete`], { encoding: 'utf8' });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    const broken = spawnSync(process.execPath, [bin, 'check', '--profile', 'bernstein', '--format', 'json', `${fixtures}bernstein-broken`], {
      encoding: 'utf8',
    });
    assert.equal(broken.status, 1);
    const report = JSON.parse(broken.stdout) as { findings: { rule: string }[] };
    assert.ok(report.findings.some((f) => f.rule === 'image-tag'), 'the broken fixture\'s lastest tag is reported');
  });

  it('passes usage errors of bernstein load through (exit 2)', () => {
    const r = spawnSync(process.execPath, [bin, 'load', '--revote-share', 'lots'], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stdout + r.stderr);
  });
});
