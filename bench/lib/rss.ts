/**
 * Resident memory of a process, read from /proc (Linux): the figure an orchestrator's memory
 * limit is compared with. A sampler keeps the peak while a benchmark loads the process.
 */
import { readFileSync } from 'node:fs';

/** Current RSS in MB (10^6 bytes, the unit of the targets), or undefined when the process is gone or /proc is not there. */
export function rssMB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    // /proc reports kB meaning KiB.
    return m ? Math.round(((Number(m[1]) * 1024) / 1e6) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RSS split into anonymous memory (V8 heap, malloc: this process's own) and file-backed pages
 * (mostly the node binary itself, shared with every other Node process through the page cache).
 */
export function rssParts(pid: number | undefined): { anonMB: number; fileMB: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    const mb = (v: number) => Math.round(((v * 1024) / 1e6) * 10) / 10;
    return { anonMB: mb(kb('RssAnon')), fileMB: mb(kb('RssFile') + kb('RssShmem')) };
  } catch {
    return undefined;
  }
}

/** Samples RSS every `everyMs` until stopped; `peak` is the highest value seen. */
export class RssSampler {
  private peakMB = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number | undefined,
    everyMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private sample(): void {
    const v = rssMB(this.pid);
    if (v !== undefined && v > this.peakMB) this.peakMB = v;
  }

  /** Stops sampling; returns the peak in MB. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peakMB;
  }
}
