/**
 * The `bernstein` command: one entry point for the tools that ship with Bernstein. Each
 * subcommand is its own package; this file only dispatches, so `bernstein check …` behaves
 * exactly like `bernstein-check …`.
 */
export const USAGE = `usage: bernstein <command> [options]

commands:
  up       run the whole system on this machine (private Redis and PostgreSQL unless
           REDIS_HOST / POSTGRES_HOST are set); Ctrl-C stops it
  check    check Kubernetes manifests, Kustomize dirs, compose files and Dockerfiles
           (bernstein check --help)
  load     simulated voters, exactly-once verification, latency, chaos runs
           (bernstein load --help)
  poll     create, list, close and archive polls, generate access codes, through the
           admin API (bernstein poll --help)
  help     show this text

Exit codes follow the subcommand's: 0 success, 1 findings, failed verification or a refusal, 2 usage error.`;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

type Command = (args: string[], io: Io) => Promise<number>;

// Loaded on demand: `bernstein check` need not load the load generator, and vice versa.
const commands: Record<string, Command> = {
  up: async () => (await import('@bernstein/local')).up(),
  check: async (args) => (await import('@bernstein/check')).run(args),
  load: async (args) => (await import('@bernstein/load')).run(args),
  poll: async (args, io) => (await import('./poll.js')).runPoll(args, io),
};

export async function run(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.err(`bernstein: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  return command(args, io);
}
