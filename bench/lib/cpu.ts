/**
 * CPU time of a process from /proc/<pid>/stat (user + system), to show where the cores went
 * during a run: on a 2-core machine the load generator's share is what the server cannot have.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** User + system CPU seconds used so far, or undefined when the process is gone. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process and all its descendants (PostgreSQL: the postmaster and its
 * backends), counting children that already ended and were reaped (cutime/cstime).
 */
export function treeCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (!f) continue;
    const ppid = Number(f[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const own = statFields(pid);
  if (!own) return undefined;
  let t = (Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])) / clockTicks();
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    const f = statFields(p);
    if (f) t += (Number(f[11]) + Number(f[12])) / clockTicks();
    stack.push(...(children.get(p) ?? []));
  }
  return t;
}

/** Measures the cores a set of processes used between `start()` and `stop()`. */
export class CpuMeter {
  private readonly before = new Map<string, number>();
  private t0 = 0;

  /** `tree`: names whose descendants count too (PostgreSQL backends). */
  constructor(
    private readonly pids: Record<string, number | undefined>,
    private readonly tree: string[] = [],
  ) {}

  private read(name: string, pid: number | undefined): number | undefined {
    return this.tree.includes(name) ? treeCpuSeconds(pid) : cpuSeconds(pid);
  }

  start(): void {
    this.t0 = performance.now();
    for (const [name, pid] of Object.entries(this.pids)) this.before.set(name, this.read(name, pid) ?? 0);
  }

  /** Cores used per process (1 = one core fully busy). */
  stop(): Record<string, number> {
    const seconds = (performance.now() - this.t0) / 1000;
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) out[name] = ((this.read(name, pid) ?? 0) - (this.before.get(name) ?? 0)) / Math.max(0.001, seconds);
    return out;
  }
}
