import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubernetesDir } from '../lib/index.js';

const clusterDir = join(kubernetesDir, '..', 'cluster');
const repoDir = join(kubernetesDir, '..', '..');
const SCRIPTS = ['up-k3d.sh', 'up-kind.sh', 'rollback.sh', 'restore.sh', 'backup-copy.sh', 'down.sh', 'secrets.sh'] as const;

/** A PATH with only what the scripts need before their tool check (no docker, k3d, kind, kubectl). */
let bare: string;
/** The same plus stand-in tools that exist and succeed, except `docker info` (daemon down). */
let noDaemon: string;

function which(tool: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${tool} is needed to run this test`);
  return r.stdout.trim();
}

function run(script: string, path: string, args: string[] = []) {
  return spawnSync(which('bash'), [join(clusterDir, script), ...args], {
    encoding: 'utf8',
    env: { PATH: path, HOME: tmpdir() },
    timeout: 20_000,
  });
}

describe('deploy/cluster scripts', () => {
  before(() => {
    bare = mkdtempSync(join(tmpdir(), 'bernstein-bare-path-'));
    for (const tool of ['dirname', 'sed', 'head', 'cat']) symlinkSync(which(tool), join(bare, tool));
    noDaemon = mkdtempSync(join(tmpdir(), 'bernstein-no-daemon-'));
    for (const tool of ['dirname', 'sed', 'head', 'cat']) symlinkSync(which(tool), join(noDaemon, tool));
    for (const tool of ['k3d', 'kind', 'kubectl', 'curl']) {
      writeFileSync(join(noDaemon, tool), '#!/bin/sh\nexit 0\n');
      chmodSync(join(noDaemon, tool), 0o755);
    }
    writeFileSync(join(noDaemon, 'docker'), '#!/bin/sh\n[ "$1" = info ] && exit 1\nexit 0\n');
    chmodSync(join(noDaemon, 'docker'), 0o755);
  });
  after(() => {
    rmSync(bare, { recursive: true, force: true });
    rmSync(noDaemon, { recursive: true, force: true });
  });

  it('up-k3d.sh names every missing tool with where to get it, and changes nothing', () => {
    const r = run('up-k3d.sh', bare);
    assert.equal(r.status, 1, r.stderr);
    for (const tool of ['docker', 'k3d', 'kubectl', 'curl']) {
      assert.match(r.stderr, new RegExp(`^error: ${tool} is required but was not found on PATH; install`, 'm'));
    }
    assert.match(r.stderr, /https:\/\/k3d\.io/);
    assert.doesNotMatch(r.stderr, /creating|building|==>/);
  });

  it('up-kind.sh names docker, kind and kubectl when they are missing', () => {
    const r = run('up-kind.sh', bare);
    assert.equal(r.status, 1);
    for (const tool of ['docker', 'kind', 'kubectl']) assert.match(r.stderr, new RegExp(`error: ${tool} is required`));
    assert.match(r.stderr, /kind\.sigs\.k8s\.io/);
  });

  it('up scripts stop when docker is installed but its daemon does not answer', () => {
    for (const script of ['up-k3d.sh', 'up-kind.sh']) {
      const r = run(script, noDaemon);
      assert.equal(r.status, 1, script);
      assert.match(r.stderr, /docker is installed but its daemon does not answer/, script);
    }
  });

  it('rollback.sh and down.sh fail clearly without their tools or arguments', () => {
    const rollback = run('rollback.sh', bare);
    assert.equal(rollback.status, 1);
    assert.match(rollback.stderr, /error: kubectl is required/);
    const down = run('down.sh', bare);
    assert.equal(down.status, 1);
    assert.match(down.stderr, /usage: down\.sh k3d\|kind/);
    const downKind = run('down.sh', bare, ['kind']);
    assert.match(downKind.stderr, /error: kind is required/);
    assert.match(run('rollback.sh', bare, ['--bogus']).stderr, /unknown argument --bogus/);
    for (const script of ['restore.sh', 'backup-copy.sh']) {
      const r = run(script, bare);
      assert.equal(r.status, 1, script);
      assert.match(r.stderr, /error: kubectl is required/, script);
    }
  });

  it('are shellcheck-clean and strict', { skip: spawnSync('sh', ['-c', 'command -v shellcheck']).status !== 0 && 'shellcheck not installed' }, () => {
    const r = spawnSync('shellcheck', ['-x', ...SCRIPTS, 'lib.sh'], { cwd: clusterDir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout);
  });

  it('start with set -euo pipefail and build the images the manifests pin', () => {
    for (const s of SCRIPTS) assert.match(readFileSync(join(clusterDir, s), 'utf8'), /^set -euo pipefail$/m, s);
    const version = (JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as { version: string }).version;
    for (const s of ['poll', 'worker', 'result']) {
      assert.match(readFileSync(join(kubernetesDir, 'base', `${s}.deployment.yaml`), 'utf8'), new RegExp(`image: bernstein/${s}:${version.replaceAll('.', '\\.')}$`, 'm'));
    }
  });
});
