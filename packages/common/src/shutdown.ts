/**
 * Graceful shutdown on SIGTERM/SIGINT: readiness goes false at once, the process keeps
 * serving for `delayMs` (so load balancers stop sending new requests), then each step closes
 * in order (HTTP server, then clients). If the steps outlast `timeoutMs`, it exits with 1.
 * A second signal exits at once.
 */
import type { Logger } from 'pino';
import type { Readiness } from './ops.js';

export interface ShutdownStep {
  name: string;
  close: () => Promise<unknown>;
}

export interface ShutdownOptions {
  logger: Logger;
  readiness?: Readiness | undefined;
  delayMs: number;
  timeoutMs: number;
  steps: ShutdownStep[];
  /** Called instead of process.exit, for tests. */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

export function installShutdown(opts: ShutdownOptions): { shutdown: (reason: string) => Promise<void> } {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let started = false;

  async function shutdown(reason: string): Promise<void> {
    if (started) {
      opts.logger.warn({ reason }, 'second shutdown request: exiting now');
      exit(1);
      return;
    }
    started = true;
    opts.logger.info({ reason, delayMs: opts.delayMs }, 'shutting down');
    opts.readiness?.markShuttingDown();
    const timer = setTimeout(() => {
      opts.logger.error({ timeoutMs: opts.timeoutMs }, 'shutdown timed out: exiting');
      exit(1);
    }, opts.delayMs + opts.timeoutMs);
    timer.unref();
    if (opts.delayMs > 0) await new Promise((r) => setTimeout(r, opts.delayMs));
    let code = 0;
    for (const step of opts.steps) {
      try {
        await step.close();
        opts.logger.debug({ step: step.name }, 'closed');
      } catch (err) {
        code = 1;
        opts.logger.error({ err, step: step.name }, 'error while closing');
      }
    }
    clearTimeout(timer);
    opts.logger.info({ code }, 'stopped');
    exit(code);
  }

  for (const signal of opts.signals ?? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[])) {
    process.on(signal, () => void shutdown(signal));
  }
  return { shutdown };
}
