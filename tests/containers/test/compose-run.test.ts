/**
 * podman-compose runs deploy/compose.yaml without the two services that have no stand-in
 * here (Traefik, cAdvisor: no registry to pull them from), with the images the other test
 * file builds (deploy/containers/ci-setup.sh builds them first on CI). The file is used as
 * it is but for three mechanical changes: those two services removed, `build:` removed (the
 * images exist), and poll/result published on random loopback ports in place of Traefik.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { eventually, podman, podmanAvailability, podmanEnv, podmanOk, repoRoot } from './podman.js';
import { execFile } from 'node:child_process';

const availability = await podmanAvailability();
const skip = availability.ok ? false : availability.reason;

interface ComposeFile {
  services: Record<string, Record<string, unknown>>;
  networks: Record<string, { name?: string }>;
  [key: string]: unknown;
}

function compose(project: string, file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('podman-compose', ['-p', project, '-f', file, ...args], { env: { ...podmanEnv, ...env }, timeout: 150_000 },
      (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, output: stdout + stderr }));
  });
}

describe('podman-compose runs compose.yaml (all but Traefik and cAdvisor)', { skip, concurrency: false }, () => {
  const project = `bct${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'bernstein-compose-'));
  const file = join(dir, 'compose.json');
  // Every generated secret compose.yaml requires (deploy/compose.env.example), random.
  const secret = () => randomBytes(24).toString('base64url');
  const env = {
    POSTGRES_ADMIN_PASSWORD: secret(),
    POSTGRES_OWNER_PASSWORD: secret(),
    POSTGRES_WORKER_PASSWORD: secret(),
    POSTGRES_RESULT_PASSWORD: secret(),
    REDIS_POLL_PASSWORD: secret(),
    REDIS_WORKER_PASSWORD: secret(),
    REDIS_PROBE_PASSWORD: secret(),
    COOKIE_SECRETS: secret(),
    ADMIN_TOKEN: secret(),
    // Traefik is not started here; its label still needs a value (an htpasswd line).
    DASHBOARD_USERS: 'test:$apr1$abcdefgh$0123456789abcdefghijkl',
  };
  const urls: Record<string, string> = {};

  after(async () => {
    await compose(project, file, ['down'], env);
    const ids = (await podman(['ps', '-aq', '--filter', `label=io.podman.compose.project=${project}`])).stdout.split('\n').filter(Boolean);
    if (ids.length > 0) await podman(['rm', '--force', '--volumes', ...ids]);
    await podman(['volume', 'rm', '--force', `${project}_redis-data`, `${project}_postgres-data`, `${project}_redis-acl`]);
    await podman(['network', 'rm', '--force', `${project}-front`, `${project}-redis`, `${project}-db`]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('up -d starts redis, postgres, the migration (exit 0), and two replicas of each app', async () => {
    const c = parse(readFileSync(`${repoRoot}deploy/compose.yaml`, 'utf8'), { merge: true }) as ComposeFile;
    delete c.services.traefik;
    delete c.services.cadvisor;
    for (const s of Object.values(c.services)) delete s.build;
    for (const a of ['poll', 'result']) {
      const s = c.services[a];
      assert.ok(s, `compose.yaml has ${a}`);
      // The public port, and the ops port of /readyz (OPS_PORT, 8080).
      s.ports = ['127.0.0.1::80', '127.0.0.1::8080'];
    }
    for (const [key, net] of Object.entries(c.networks)) net.name = `${project}-${key}`;
    for (const key of Object.keys(c)) if (key.startsWith('x-')) delete c[key];
    // JSON is YAML, and keeps strings like "no" strings for podman-compose's YAML 1.1 parser.
    writeFileSync(file, JSON.stringify(c, null, 1));

    const up = await compose(project, file, ['up', '-d'], env);
    assert.equal(up.code, 0, up.output);
    const state = async () => {
      const raw = await podmanOk(['ps', '-a', '--format', 'json', '--filter', `label=io.podman.compose.project=${project}`]);
      const list = JSON.parse(raw) as { Names: string[]; State: string; ExitCode: number }[];
      return new Map(list.map((x) => [x.Names[0]?.replace(`${project}_`, '') ?? '', x]));
    };
    const running = ['redis_1', 'postgres_1', 'worker_1', 'worker_2', 'poll_1', 'poll_2', 'result_1', 'result_2'];
    await eventually('the migration to finish', async () => {
      const m = (await state()).get('migrate_1');
      return m?.State === 'exited' ? m : undefined;
    }, 60_000).then((m) => assert.equal(m.ExitCode, 0, `migrate exit code; logs: ${JSON.stringify(m)}`));
    const s = await state();
    for (const name of running) assert.equal(s.get(name)?.State, 'running', `${name} running; compose said:\n${up.output.slice(-3000)}`);

    for (const name of ['poll_1', 'poll_2', 'result_1', 'result_2']) {
      const mapping = await podmanOk(['port', `${project}_${name}`, '80']);
      urls[name] = `http://${mapping.split('\n')[0] ?? ''}`;
      const ops = `http://${(await podmanOk(['port', `${project}_${name}`, '8080'])).split('\n')[0] ?? ''}`;
      await eventually(`${name} ready`, async () => ((await fetch(`${ops}/readyz`)).status === 200 ? true : undefined), 60_000);
    }
  });

  test('a vote through one poll replica shows in both result replicas', async () => {
    const polls = (await (await fetch(`${urls.poll_2}/api/polls`)).json()) as { polls: { id: string; options: { id: string }[] }[] };
    const poll = polls.polls[0];
    assert.ok(poll?.options[0]);
    const r = await fetch(`${urls.poll_2}/api/polls/${poll.id}/votes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ option: poll.options[0].id }),
    });
    assert.equal(r.status, 202);
    for (const name of ['result_1', 'result_2']) {
      await eventually(`the vote in ${name}`, async () => {
        const res = (await (await fetch(`${urls[name]}/api/polls/${poll.id}/results`)).json()) as { total: number };
        return res.total === 1 ? true : undefined;
      }, 30_000);
    }
  });

  test('down stops every container', async () => {
    const down = await compose(project, file, ['down'], env);
    assert.equal(down.code, 0, down.output);
    const left = (await podman(['ps', '-q', '--filter', `label=io.podman.compose.project=${project}`])).stdout.trim();
    assert.equal(left, '', 'no container of the project still running');
  });
});

if (skip) console.log(`# container tests skipped: ${skip}`);
