/**
 * The three images, built with podman from the unmodified Dockerfile's targets on stand-in bases
 * (deploy/containers/stand-ins.sh), and what the built images promise.
 * Skipped (with the reason) where podman is unusable, unless CI is set: then it fails.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { podman, podmanAvailability, podmanOk, repoRoot, run, scriptsDir } from './podman.js';

const SERVICES = ['poll', 'worker', 'result'] as const;
const version = (JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { version: string }).version;
const image = (s: string) => `localhost/bernstein/${s}:${version}`;
const availability = await podmanAvailability();
const skip = availability.ok ? false : availability.reason;

/** The pinned base image, as the Dockerfile's build stage names it. */
function baseImage(): string | undefined {
  return /^FROM (\S+) AS build$/m.exec(readFileSync(`${repoRoot}Dockerfile`, 'utf8'))?.[1];
}

describe('container images', { skip, concurrency: false }, () => {
  test('stand-in base images exist under the exact FROM names (deploy/containers/stand-ins.sh)', async () => {
    const r = await run(`${scriptsDir}stand-ins.sh`, []);
    assert.equal(r.code, 0, `stand-ins.sh failed:\n${r.stdout}\n${r.stderr}`);
    const from = baseImage();
    assert.ok(from, "the Dockerfile has no 'FROM … AS build'");
    await podmanOk(['image', 'exists', from]);
  });

  for (const s of SERVICES) {
    test(`${s} builds from its target of the unmodified Dockerfile without pulling`, async () => {
      const r = await run(`${scriptsDir}build-images.sh`, [s]);
      assert.equal(r.code, 0, `build of ${s} failed:\n${r.stdout}\n${r.stderr}`);
      console.log(r.stdout.trim());
    });
  }

  test('a container with a missing required variable exits 78 and names it', async () => {
    const cases = { poll: ['REDIS_HOST'], worker: ['REDIS_HOST', 'POSTGRES_HOST'], result: ['POSTGRES_HOST', 'POSTGRES_PASSWORD'] };
    for (const s of SERVICES) {
      // No network: these containers need none, and each network costs podman a netavark setup.
      const r = await podman(['run', '--rm', '--network=none', image(s)], 60_000);
      assert.equal(r.code, 78, `${s} exit code (EX_CONFIG); output: ${r.stdout}${r.stderr}`);
      for (const v of cases[s]) assert.match(r.stdout + r.stderr, new RegExp(v), `${s} names ${v}`);
    }
  });

  test('images run as user node, from the service directory, with labels, health check and exec-form CMD', async () => {
    for (const s of SERVICES) {
      const raw = await podmanOk(['image', 'inspect', image(s)]);
      const [info] = JSON.parse(raw) as {
        Config: {
          User: string;
          WorkingDir: string;
          Cmd: string[];
          Entrypoint?: string[] | null;
          Env: string[];
          Labels: Record<string, string>;
          ExposedPorts?: Record<string, unknown>;
        };
        // podman reports the Docker-format health check beside Config.
        Healthcheck?: { Test: string[] };
      }[];
      assert.ok(info, `no inspect output for ${s}`);
      const c = info.Config;
      assert.equal(c.User, 'node', `${s}: USER`);
      assert.equal(c.WorkingDir, `/app/services/${s}`, `${s}: WORKDIR`);
      assert.deepEqual(c.Cmd, ['node', 'dist/server.js'], `${s}: CMD`);
      assert.equal((c.Entrypoint ?? []).length, 0, `${s}: no entrypoint wrapper`);
      assert.ok(c.Env.includes('NODE_ENV=production'), `${s}: NODE_ENV`);
      assert.equal(c.Labels['org.opencontainers.image.title'], `bernstein-${s}`, `${s}: its own title label`);
      // The Node flags of the service's own start script (package.json), so the image runs it as `npm start` would.
      const start = (JSON.parse(readFileSync(`${repoRoot}services/${s}/package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;
      const flags = start.replace(/^node\s*/, '').replace(/\s*dist\/server\.js$/, '');
      assert.equal(c.Env.find((e) => e.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length) ?? '', flags, `${s}: NODE_OPTIONS = start script flags`);
      assert.equal(c.Labels['org.opencontainers.image.version'], version);
      assert.equal(c.Labels['org.opencontainers.image.licenses'], 'MIT');
      assert.match(c.Labels['org.opencontainers.image.source'] ?? '', /^\S+$/);
      assert.ok(info.Healthcheck?.Test.join(' ').includes('/healthz'), `${s}: HEALTHCHECK on /healthz`);
      assert.ok(c.ExposedPorts && `${s === 'worker' ? 8080 : 80}/tcp` in c.ExposedPorts, `${s}: EXPOSE`);
      // What we add to the base stays small (measured ~20 MB: production node_modules + dist).
      const from = baseImage() ?? '';
      const [size, baseSize] = await Promise.all(
        [image(s), from].map(async (i) => Number(await podmanOk(['image', 'inspect', '--format', '{{.Size}}', i]))),
      );
      const addedMb = ((size ?? 0) - (baseSize ?? 0)) / 1e6;
      console.log(`${s}: ${((size ?? 0) / 1e6).toFixed(1)} MB, ${addedMb.toFixed(1)} MB on top of ${from}`);
      assert.ok(addedMb > 0 && addedMb < 60, `${s} adds ${addedMb.toFixed(1)} MB to its base (budget 60 MB)`);
      // Production dependencies only: no TypeScript compiler, no test tooling in the image.
      const r = await podman(['run', '--rm', '--network=none', '--entrypoint', 'sh', image(s), '-c', 'ls /app/node_modules']);
      assert.equal(r.code, 0, r.stderr);
      for (const dev of ['typescript', 'tsx', 'eslint', 'playwright-core']) {
        assert.ok(!r.stdout.split('\n').includes(dev), `${s}: dev dependency ${dev} in the image`);
      }
    }
  });
});

if (skip) console.log(`# container tests skipped: ${skip}`);
