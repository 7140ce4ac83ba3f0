/**
 * The chaos run's steps, one at a time. Two kinds:
 *
 * - `ifIdle` (worker kills, every few seconds): runs only when no other step is running or
 *   waiting; otherwise it is skipped, and the skip is reported. Kills are never queued: on a
 *   loaded machine a worker started from its TypeScript sources can take several seconds to
 *   become ready, longer than the kill interval, and a queue of kills would grow for the
 *   whole run and push every step behind it past the end of the load.
 * - `always` (the Redis and PostgreSQL faults): never skipped. If another step is running,
 *   it goes next, late; its promise says when it is over.
 */
export interface StepReport {
  /** What happens, as it happens. */
  event(text: string): void;
  /** A step that failed (the run fails). */
  failed(text: string): void;
}

export class ChaosSteps {
  private chain: Promise<void> = Promise.resolve();
  /** The step running now first, then the ones waiting, in order. */
  private readonly pending: string[] = [];
  private dropped = false;
  /** Steps skipped by `ifIdle`. */
  skipped = 0;

  constructor(private readonly report: StepReport) {}

  /** Starts `what` if nothing else runs or waits, else skips it (and says so). True when started. */
  ifIdle(what: string, action: () => Promise<unknown>): boolean {
    if (this.dropped) return false;
    const busy = this.pending[0];
    if (busy !== undefined) {
      this.skipped++;
      this.report.event(`${what}: skipped, "${busy}" is not over yet`);
      return false;
    }
    void this.enqueue(what, action);
    return true;
  }

  /** Runs `what` after the steps already running or waiting; resolves when it is over (true: it succeeded). */
  always(what: string, action: () => Promise<unknown>): Promise<boolean> {
    return this.enqueue(what, action);
  }

  /** Resolves once no step runs or waits (steps added meanwhile included). */
  async idle(): Promise<void> {
    while (this.pending.length > 0) await this.chain;
  }

  /** The run is stopping for another reason: steps not started yet are not started. */
  drop(): void {
    this.dropped = true;
  }

  private enqueue(what: string, action: () => Promise<unknown>): Promise<boolean> {
    this.pending.push(what);
    const result = this.chain.then(async () => {
      try {
        if (this.dropped) {
          this.report.event(`${what}: not started, the run is stopping`);
          return false;
        }
        this.report.event(`${what}…`);
        await action();
        this.report.event(`${what}: done`);
        return true;
      } catch (err) {
        this.report.failed(`${what} failed: ${(err as Error).message}`);
        return false;
      } finally {
        this.pending.shift();
      }
    });
    this.chain = result.then(() => undefined);
    return result;
  }
}
