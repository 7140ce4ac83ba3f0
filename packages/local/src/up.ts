#!/usr/bin/env node
/**
 * `npm start`: the whole system on this machine. Private Redis and PostgreSQL (data kept in
 * `.bernstein/` between runs) unless REDIS_HOST / POSTGRES_HOST point elsewhere, migrations,
 * then poll, result and one worker, their logs interleaved with the service's name in front.
 *
 * Nothing is restarted silently: if a service or database dies, the runner says which and how,
 * stops everything and exits 1. Ctrl-C (SIGINT) or SIGTERM stops the services first, then the
 * databases, and exits 0.
 */
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MissingBinaryError } from './binaries.js';
import { formatLine } from './log-lines.js';
import { describeExit } from './service-process.js';
import { isAlive } from './process.js';
import { LocalStack, REPO_ROOT, StackError } from './stack.js';

function portVar(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StackError(`${name}=${raw} is not a port number (0 to 65535)`);
  return port;
}

/** One runner per data directory: two would start two Redis servers on one append-only file. */
function takeLock(dataDir: string): () => void {
  const file = join(dataDir, 'up.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new StackError(`another local run (pid ${pid}) is using ${dataDir}; stop it first (Ctrl-C in its terminal, or kill ${pid})`);
      }
      rmSync(file, { force: true }); // left by a run that died
    }
  }
  throw new StackError(`cannot lock ${file}`);
}

export async function up(): Promise<number> {
  const pretty = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
  const print = (name: string, line: string) => process.stdout.write(`${formatLine(name, line, { pretty, width: 8 })}\n`);
  const say = (line: string) => print('local', line);
  const dataDir = process.env.BERNSTEIN_DATA_DIR || join(REPO_ROOT, '.bernstein');

  let stack: LocalStack | undefined;
  let release = () => {};
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;

  const stopAll = async (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    say(why);
    await stack?.stop();
    release();
    say('stopped');
    finish(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C: do not wait any longer for graceful shutdowns.
      say(`${signal} again: killing everything now`);
      for (const s of stack?.services ?? []) if (s.running) s.child.kill('SIGKILL');
      void stack?.redis?.kill();
      void stack?.postgres?.kill();
      release();
      process.exit(130);
    }
    void stopAll(0, `${signal}: stopping services, then databases…`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    mkdirSync(dataDir, { recursive: true });
    release = takeLock(dataDir);
    const options = {
      dataDir,
      env: process.env,
      pollPort: portVar('POLL_PORT', 8080),
      resultPort: portVar('RESULT_PORT', 8081),
      workerPort: portVar('WORKER_PORT', 8082),
      redisPort: portVar('LOCAL_REDIS_PORT', 6390),
      postgresPort: portVar('LOCAL_POSTGRES_PORT', 5440),
      // Started from TypeScript (tests, development), the services run from their sources too.
      fromSource: import.meta.url.endsWith('.ts'),
      output: print,
      onUnexpectedExit: (name: string, state: { code: number | null; signal: NodeJS.Signals | null }) => {
        const where = name === 'redis' || name === 'postgres' ? `see ${join(dataDir, name, `${name}.log`)}` : 'see its log lines above';
        void stopAll(1, `${name} stopped unexpectedly (${describeExit(state)}); stopping everything — ${where}`);
      },
    };
    const started = await LocalStack.start(options);
    stack = started;
    // Ctrl-C while starting: stopAll found nothing to stop yet.
    if (stopping) await started.stop();
  } catch (err) {
    release();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (err instanceof MissingBinaryError || err instanceof StackError) {
      process.stderr.write(`bernstein: ${err.message}\n`);
    } else {
      process.stderr.write(`bernstein: the local run failed to start: ${(err as Error).message}\n`);
    }
    return 1;
  }

  if (!stopping) {
    const pid = (name: string) => stack?.services.find((s) => s.name === name)?.pid ?? '-';
    say('ready:');
    say(`  vote     ${stack.pollUrls[0]}/   (poll pid ${pid('poll')})`);
    say(`  results  ${stack.resultUrl}/   (result pid ${pid('result')})`);
    say(`  worker   ${stack.workers[0]?.url ?? '-'}/metrics   (worker pid ${pid('worker')}; ops endpoints only)`);
    const opsUrl = (name: string) => stack?.services.find((s) => s.name === name)?.opsUrl ?? '-';
    say(`  metrics  poll ${opsUrl('poll')}/metrics   result ${opsUrl('result')}/metrics   (the ops ports: /healthz, /readyz, /metrics)`);
    if (stack.redis) say(`  redis    127.0.0.1:${stack.redis.port}   (pid ${stack.redis.pid ?? '-'})`);
    if (stack.postgres) say(`  postgres 127.0.0.1:${stack.postgres.port}   (pid ${stack.postgres.pid ?? '-'})`);
    for (const poll of await pollIds(stack.pollUrls[0])) {
      say(`  poll "${poll}": vote ${stack.pollUrls[0]}/polls/${poll}   results ${stack.resultUrl}/polls/${poll}`);
    }
    say(`  admin    ${stack.pollUrls[0]}/admin   (token: ${stack.adminTokenFile ?? 'ADMIN_TOKEN from the environment'}; \`npx bernstein poll --help\`)`);
    say(`Ctrl-C stops everything; data stays in ${dataDir}`);
  }
  return finished;
}

/** The polls the poll service serves (GET /api/polls), for the ready banner; none when it does not answer. */
async function pollIds(pollUrl: string | undefined): Promise<string[]> {
  if (pollUrl === undefined) return [];
  try {
    const res = await fetch(`${pollUrl}/api/polls`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { polls?: { id?: unknown }[] };
    return (body.polls ?? []).flatMap((p) => (typeof p.id === 'string' ? [encodeURIComponent(p.id)] : []));
  } catch {
    return [];
  }
}

// Run when executed directly (`node packages/local/dist/up.js`, or the bin), not when imported.
function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isMain()) process.exitCode = await up();
