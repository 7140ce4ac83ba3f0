/**
 * Per-key throttle that merges bursts of "key changed" signals into few runs.
 *
 * A signal for a key that has not run within the last `windowMs` runs at once (a lone vote
 * shows without delay); signals inside the window are merged into one run at the window's
 * end; a signal that arrives while a run is in flight causes exactly one more run after it.
 * So each key runs at most once per window, never concurrently, and the last signal is
 * always followed by a run that started after it. One timer per pending key, none per client.
 *
 * Self-protecting: after a run that took d ms, the next run of that key also waits at least
 * d ms after it ended. A run includes the fan-out to every SSE client, so with many clients
 * (or a starved CPU) updates get coarser instead of queueing up: at most half of the time
 * goes to one poll's updates, and vote → screen stays near window + 2·d.
 */
export class Coalescer {
  private readonly keys = new Map<
    string,
    { timer: NodeJS.Timeout | undefined; running: boolean; dirty: boolean; lastStart: number; lastEnd: number }
  >();
  private closed = false;

  constructor(
    private readonly windowMs: number,
    private readonly run: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  signal(key: string): void {
    if (this.closed) return;
    let s = this.keys.get(key);
    if (!s) {
      s = { timer: undefined, running: false, dirty: false, lastStart: -Infinity, lastEnd: -Infinity };
      this.keys.set(key, s);
    }
    if (s.running) {
      s.dirty = true;
      return;
    }
    if (s.timer !== undefined) return;
    const lastDuration = Number.isFinite(s.lastStart) ? s.lastEnd - s.lastStart : 0;
    const wait = Math.max(s.lastStart + this.windowMs, s.lastEnd + lastDuration) - performance.now();
    if (wait <= 0) {
      void this.start(key);
      return;
    }
    const state = s;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.start(key);
    }, wait);
  }

  /** True while a key has a run scheduled or in flight (tests and shutdown use it). */
  get busy(): boolean {
    for (const s of this.keys.values()) if (s.running || s.timer !== undefined) return true;
    return false;
  }

  close(): void {
    this.closed = true;
    for (const s of this.keys.values()) clearTimeout(s.timer);
    this.keys.clear();
  }

  private async start(key: string): Promise<void> {
    const s = this.keys.get(key);
    if (!s || this.closed) return;
    s.running = true;
    s.dirty = false;
    s.lastStart = performance.now();
    try {
      await this.run(key);
    } catch (err) {
      this.onError(key, err);
    } finally {
      s.running = false;
      s.lastEnd = performance.now();
      if (s.dirty && !this.closed) {
        s.dirty = false;
        this.signal(key);
      }
    }
  }
}
