/**
 * `bernstein load`: command-line options → a load run (or a chaos run) → summary, JSON
 * report, exit code (0 verified, 1 verification failed, 2 usage error).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MissingBinaryError, StackError } from '@bernstein/local';
import { measureCeiling } from './ceiling.js';
import { defaultChaosOptions, runChaos } from './chaos.js';
import { measureDrain } from './drain.js';
import { defaultLoadOptions, runLoad, type LoadOptions, type LoadReport } from './runner.js';
import { progressLine, summary } from './summary.js';

export const USAGE = `Usage: bernstein load [options]

Simulated voters vote through the poll API, then the result API's tallies are compared with
the votes the poll service acknowledged: exactly once, or exit 1.

Target
  --poll-url URL        poll instance (repeat for several, used round-robin) [http://127.0.0.1:8080]
  --result-url URL      result instance [http://127.0.0.1:8081]
  --poll-host HOST      Host header for poll requests (e.g. poll.dop.io through Traefik)
  --result-host HOST    Host header for result requests (e.g. result.dop.io)
Load
  --voters N            simulated voters, each with its own cookie [1000]
  --votes N             send N votes (each retried until acknowledged) …
  --duration SECONDS    … or send for this long [10]
  --rate N              votes per second; 0 = full speed [0]
  --concurrency N       requests in flight at most [64]
  --pipelining N        HTTP/1.1 pipelining depth per connection [1]
  --revote-share F      share 0…1 of votes by voters who already voted [0.2]
  --polls ID[:W],…      polls to vote in, with weights [every poll, equally]
  --no-visibility       do not follow the SSE stream (no vote → visible latency)
  --no-verify           only drive load: no baseline, no SSE, no verification
  --ceiling             the generator's own ceiling: the same load against a bare HTTP server
  --drain               start the local system without a worker, queue the votes, then time one
                        worker draining them (with --votes, --revote-share; --batch-size N [500])
Verification
  --settle-timeout S    wait at most this long for the tallies to match [60]
  --quiet S             stop waiting once the tallies have not moved for this long [10]
Chaos (starts its own local system; ignores the URLs)
  --chaos               SIGKILL workers, SIGKILL+restart Redis, stop+start PostgreSQL during the run
  --kill-every S        seconds between worker kills [3]
  --workers N           workers in the chaos run [2]
  --poll-instances N    poll processes in the chaos run [1]
Output
  --report FILE         write the JSON report to FILE
  --json                print the JSON report instead of the summary
  -h, --help
`;

class UsageError extends Error {}

function num(raw: string | undefined, name: string, fallback: number, check: (v: number) => boolean, expect: string): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || !check(v)) throw new UsageError(`--${name} ${JSON.stringify(raw)}: expected ${expect}`);
  return v;
}
const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
const positive = (v: number) => v > 0;

function parsePolls(raw: string | undefined): { id: string; weight: number }[] | undefined {
  if (raw === undefined) return undefined;
  return raw.split(',').map((part) => {
    const [id, weight] = part.split(':');
    if (!id || !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(id)) throw new UsageError(`--polls: ${JSON.stringify(part)} is not a poll id`);
    const w = weight === undefined ? 1 : Number(weight);
    if (!(w > 0)) throw new UsageError(`--polls: weight of ${id} must be a positive number`);
    return { id, weight: w };
  });
}

export interface ParsedArgs {
  load: LoadOptions;
  chaos: boolean;
  ceiling: boolean;
  drain: boolean;
  batchSize: number;
  chaosOptions: typeof defaultChaosOptions;
  report: string | undefined;
  json: boolean;
  help: boolean;
}

export function parse(argv: string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        'poll-url': { type: 'string', multiple: true },
        'result-url': { type: 'string' },
        'poll-host': { type: 'string' },
        'result-host': { type: 'string' },
        voters: { type: 'string' },
        votes: { type: 'string' },
        duration: { type: 'string' },
        rate: { type: 'string' },
        concurrency: { type: 'string' },
        pipelining: { type: 'string' },
        'revote-share': { type: 'string' },
        polls: { type: 'string' },
        'no-visibility': { type: 'boolean' },
        'no-verify': { type: 'boolean' },
        ceiling: { type: 'boolean' },
        drain: { type: 'boolean' },
        'batch-size': { type: 'string' },
        'settle-timeout': { type: 'string' },
        quiet: { type: 'string' },
        chaos: { type: 'boolean' },
        'kill-every': { type: 'string' },
        workers: { type: 'string' },
        'poll-instances': { type: 'string' },
        report: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.votes !== undefined && values.duration !== undefined) throw new UsageError('give --votes or --duration, not both');
  const chaos = values.chaos ?? false;
  if (chaos && values.votes !== undefined) throw new UsageError('--chaos runs for a --duration, not a number of --votes');
  const votes = values.votes === undefined ? undefined : num(values.votes, 'votes', 0, positiveInt, 'a positive integer');
  const duration =
    votes === undefined ? num(values.duration, 'duration', chaos ? 30 : 10, positive, 'a positive number of seconds') * 1000 : undefined;
  const load: LoadOptions = {
    ...defaultLoadOptions,
    pollUrls: values['poll-url'] ?? ['http://127.0.0.1:8080'],
    resultUrl: values['result-url'] ?? 'http://127.0.0.1:8081',
    pollHost: values['poll-host'],
    resultHost: values['result-host'],
    voters: num(values.voters, 'voters', defaultLoadOptions.voters, positiveInt, 'a positive integer'),
    votes,
    durationMs: duration,
    rate: num(values.rate, 'rate', 0, (v) => v >= 0, 'a number ≥ 0'),
    concurrency: num(values.concurrency, 'concurrency', defaultLoadOptions.concurrency, positiveInt, 'a positive integer'),
    pipelining: num(values.pipelining, 'pipelining', 1, positiveInt, 'a positive integer'),
    revoteShare: num(values['revote-share'], 'revote-share', defaultLoadOptions.revoteShare, (v) => v >= 0 && v <= 1, 'a number from 0 to 1'),
    polls: parsePolls(values.polls),
    settleTimeoutMs: num(values['settle-timeout'], 'settle-timeout', 60, positive, 'seconds') * 1000,
    quietMs: num(values.quiet, 'quiet', 10, positive, 'seconds') * 1000,
    visibility: !values['no-visibility'],
    verify: !values['no-verify'],
  };
  const chaosOptions = {
    ...defaultChaosOptions,
    killEveryMs: num(values['kill-every'], 'kill-every', 3, positive, 'seconds') * 1000,
    workers: num(values.workers, 'workers', defaultChaosOptions.workers, positiveInt, 'a positive integer'),
    pollInstances: num(values['poll-instances'], 'poll-instances', 1, positiveInt, 'a positive integer'),
  };
  if ([chaos, values.ceiling, values.drain].filter(Boolean).length > 1) throw new UsageError('--chaos, --ceiling and --drain are different runs; give one');
  const batchSize = num(values['batch-size'], 'batch-size', 500, positiveInt, 'a positive integer');
  return { load, chaos, ceiling: values.ceiling ?? false, drain: values.drain ?? false, batchSize, chaosOptions, report: values.report, json: values.json ?? false, help: values.help ?? false };
}

export async function run(argv: string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parse(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bernstein load: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  const tty = Boolean(process.stderr.isTTY);
  const progress = tty ? (p: Parameters<typeof progressLine>[0]) => process.stderr.write(`\r\u001b[2K${progressLine(p)}`) : undefined;
  const clearLine = () => tty && process.stderr.write('\r\u001b[2K');
  // First Ctrl-C: stop sending, still settle and verify. Second: give up.
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onSigint);

  let report: LoadReport;
  try {
    report = args.chaos
      ? await runChaos(args.load, {
          ...args.chaosOptions,
          onEvent: (e) => {
            clearLine();
            process.stderr.write(`chaos: ${e}\n`);
          },
        }, { progress, signal: abort.signal })
      : args.ceiling
        ? await measureCeiling(args.load, { progress, signal: abort.signal })
        : args.drain
          ? await measureDrain(args.load, { batchSize: args.batchSize, fromSource: defaultChaosOptions.fromSource }, { progress, signal: abort.signal })
          : await runLoad(args.load, { progress, signal: abort.signal });
  } catch (err) {
    clearLine();
    const known = err instanceof MissingBinaryError || err instanceof StackError;
    process.stderr.write(`bernstein load: ${known ? '' : 'the run failed: '}${(err as Error).message}\n`);
    return 2;
  } finally {
    process.off('SIGINT', onSigint);
  }
  clearLine();
  if (args.report) writeFileSync(args.report, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${summary(report)}\n`);
  return report.ok ? 0 : 1;
}
