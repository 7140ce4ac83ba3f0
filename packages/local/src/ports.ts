import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server another process will start.
 *
 * It is taken below the kernel's ephemeral range (Linux: 32768–60999), not from `listen(0)`:
 * a port of that range is handed to outgoing connections too, and with load generators and
 * browsers running beside, one took a service's port between this check and the service's
 * own listen (EADDRINUSE, seen in the test suite at 4 files at a time). Below the range only
 * another listener can take it, and listeners started here ask this function.
 */
export async function freePort(): Promise<number> {
  const range = portsBelowEphemeral();
  for (let attempt = 0; range && attempt < 50; attempt++) {
    const port = range.low + Math.floor(Math.random() * (range.high - range.low + 1));
    if (recentlyGiven.has(port)) continue;
    if (await canListen(port)) return remember(port);
  }
  // No such range (an unusual kernel setting), or all tries taken: let the OS choose.
  return remember(await osChosenPort());
}

/** Ports this process handed out lately: a second caller must not get one before it is bound. */
const recentlyGiven = new Set<number>();
function remember(port: number): number {
  recentlyGiven.add(port);
  if (recentlyGiven.size > 1000) recentlyGiven.delete(recentlyGiven.values().next().value as number);
  return port;
}

let range: { low: number; high: number } | null | undefined;
function portsBelowEphemeral(): { low: number; high: number } | null {
  if (range !== undefined) return range;
  let ephemeralLow = 32_768; // Linux's default; macOS and Windows start at 49152
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // not Linux: keep the default
  }
  range = ephemeralLow > 21_000 ? { low: 20_000, high: Math.min(ephemeralLow, 32_768) - 1 } : null;
  return range;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function osChosenPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Thrown by a `waitFor` attempt when trying again cannot help (the process exited): ends the wait at once. */
export class GiveUp extends Error {}

export async function waitFor<T>(what: string, attempt: () => Promise<T>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof GiveUp) throw new Error(`${what}: ${err.message}`, { cause: err });
      last = err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms: ${(last as Error)?.message ?? last}`);
}
