/** Starting the whole system for an end-to-end test, and an expectation kept apart from the load generator's. */
import { rmSync } from 'node:fs';
import { compareStreamIds } from '@bernstein/common';
import { LocalStack, type StackOptions } from '@bernstein/local';

export interface TestStack {
  stack: LocalStack;
  /** The services' last output lines, to show when a test fails. */
  logs: () => string;
  close: () => Promise<void>;
}

export async function startStack(options: Partial<StackOptions> = {}): Promise<TestStack> {
  const lines: string[] = [];
  const unexpected: string[] = [];
  const stack = await LocalStack.start({
    env: { PATH: process.env.PATH, NODE_OPTIONS: process.env.NODE_OPTIONS, LOG_LEVEL: 'warn' },
    pollPort: 0,
    resultPort: 0,
    workerPort: 0,
    fromSource: true,
    durable: false,
    output: (name, line) => {
      lines.push(`${name} | ${line}`);
      if (lines.length > 300) lines.shift();
    },
    onUnexpectedExit: (name, state) => unexpected.push(`${name} ${JSON.stringify(state)}`),
    ...options,
  });
  return {
    stack,
    logs: () => [...unexpected.map((u) => `UNEXPECTED EXIT ${u}`), ...lines].join('\n'),
    close: async () => {
      await stack.stop();
      rmSync(stack.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The test's own expectation: the latest vote of each voter by stream id (compared with the
 * shared contract's BigInt comparison, not the load generator's), tallied per option.
 */
export class Expectation {
  private readonly last = new Map<string, { option: string; receipt: string }>();

  add(poll: string, voter: number, option: string, receipt: string): void {
    const key = `${poll}/${voter}`;
    const current = this.last.get(key);
    if (!current || compareStreamIds(receipt, current.receipt) > 0) this.last.set(key, { option, receipt });
  }

  tallies(poll: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, { option }] of this.last) if (key.startsWith(`${poll}/`)) out[option] = (out[option] ?? 0) + 1;
    return out;
  }
}

export async function resultTallies(resultUrl: string, poll: string): Promise<{ tallies: Record<string, number>; total: number }> {
  const res = await fetch(`${resultUrl}/api/polls/${poll}/results`);
  const body = (await res.json()) as { options: { id: string; votes: number }[]; total: number };
  const tallies: Record<string, number> = {};
  for (const o of body.options) if (o.votes) tallies[o.id] = o.votes;
  return { tallies, total: body.total };
}

export function sorted(t: Record<string, number>): [string, number][] {
  return Object.entries(t).sort(([a], [b]) => a.localeCompare(b));
}
