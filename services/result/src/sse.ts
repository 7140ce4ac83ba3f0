/**
 * Server-Sent Events hub: the open result streams of this instance, by poll.
 *
 * Built for thousands of clients per instance:
 * - an update is serialized once (`Snapshot.frame`) and the same buffer is written to every
 *   subscribed socket, directly: the response head is written by hand with
 *   `Connection: close` (the body ends when the connection does, as HTTP/1.1 allows), so an
 *   update costs one socket write per client instead of ServerResponse's chunk framing
 *   (three writes and a tick per client);
 * - writes are backpressure-aware: a client whose unsent data grows beyond `maxBufferBytes`
 *   (a stalled or very slow reader) is disconnected instead of buffering without bound; its
 *   EventSource reconnects and gets the current state as its first event;
 * - one interval for the whole hub sends keepalive comments (no timer per client);
 * - on shutdown every stream is ended with a randomized `retry:` hint, so browsers reconnect
 *   (to another replica) spread over a few seconds rather than all at once;
 * - streams are capped, in total (`maxClients`, so the process stays under its memory limit)
 *   and per client address (`maxClientsPerAddress`, so one client cannot take them all):
 *   `admit` refuses beyond either cap before anything is written (503 with Retry-After).
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { BernsteinError, ErrorCode, rawSecurityHeaderLines, type Logger } from '@bernstein/common';
import type { ResultMetrics } from './metrics.js';
import type { Snapshot } from './results.js';

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  // Tell nginx-style proxies not to buffer the stream (Traefik streams by default).
  'X-Accel-Buffering': 'no',
  // The stream is the connection: no chunked encoding, nothing after it on this socket.
  Connection: 'close',
} as const;

const HEAD = Buffer.from(
  `HTTP/1.1 200 OK\r\n${Object.entries(SSE_HEADERS)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}${rawSecurityHeaderLines()}\r\n`,
);

/** Defaults of the caps; the service sets them from SSE_MAX_STREAMS and SSE_MAX_STREAMS_PER_CLIENT. */
export const DEFAULT_MAX_CLIENTS = 3000;
export const DEFAULT_MAX_CLIENTS_PER_ADDRESS = 200;
/** Retry-After of a refused stream: a few seconds, in which others close or a replica is added. */
const RETRY_AFTER_SECONDS = 5;

// A comment for proxies and an event for the page: EventSource hides comments from scripts,
// and the page's live indicator needs to see that the stream is still alive.
/** How often every stream gets a keepalive; the pages' live indicator waits for two of them. */
export const DEFAULT_KEEPALIVE_MS = 15_000;
const KEEPALIVE = Buffer.from(': keepalive\nevent: keepalive\ndata:\n\n');

export interface SseHubOptions {
  metrics: ResultMetrics;
  logger: Logger;
  keepaliveMs?: number;
  /** Reconnection delay suggested to browsers. */
  retryMs?: number;
  maxBufferBytes?: number;
  /** Most open streams of this process. */
  maxClients?: number;
  /** Most open streams of one client address. */
  maxClientsPerAddress?: number;
}

export class SseHub {
  private readonly byPoll = new Map<string, Set<Socket>>();
  private readonly keepalive: NodeJS.Timeout;
  private readonly retryMs: number;
  private readonly maxBufferBytes: number;
  private readonly retryFrame: Buffer;
  private clientCount = 0;
  private closing = false;
  private readonly byAddress = new Map<string, number>();
  private readonly maxClients: number;
  private readonly maxClientsPerAddress: number;

  constructor(private readonly opts: SseHubOptions) {
    this.retryMs = opts.retryMs ?? 2000;
    this.maxBufferBytes = opts.maxBufferBytes ?? 256 * 1024;
    this.retryFrame = Buffer.from(`retry: ${this.retryMs}\n\n`);
    this.maxClients = opts.maxClients ?? DEFAULT_MAX_CLIENTS;
    this.maxClientsPerAddress = opts.maxClientsPerAddress ?? DEFAULT_MAX_CLIENTS_PER_ADDRESS;
    this.keepalive = setInterval(() => this.keepaliveAll(), opts.keepaliveMs ?? DEFAULT_KEEPALIVE_MS);
    this.keepalive.unref();
  }

  get clients(): number {
    return this.clientCount;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /** Open streams of one client address. */
  clientsOf(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }

  /** Throws 503 TOO_MANY_STREAMS when a stream for `address` would exceed a cap. */
  admit(address: string): void {
    let message: string | undefined;
    if (this.clientCount >= this.maxClients) {
      message = `this server has its maximum of ${this.maxClients} open event streams; try again shortly`;
    } else if (this.clientsOf(address) >= this.maxClientsPerAddress) {
      message = `your address has the maximum of ${this.maxClientsPerAddress} open event streams on this server; close some first`;
    }
    if (message === undefined) return;
    this.opts.metrics.sseClientsRefused.inc();
    throw new BernsteinError(ErrorCode.STREAMS_LIMIT, message, 503, { retryAfterSeconds: RETRY_AFTER_SECONDS });
  }

  /**
   * Takes over the response's socket as an event stream and sends the current snapshot at once.
   * The caller has `admit`ted `address` in the same tick.
   */
  subscribe(poll: string, res: ServerResponse, current: Snapshot, address = ''): void {
    const socket = res.socket;
    if (!socket || socket.destroyed) return;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    socket.cork();
    socket.write(HEAD);
    socket.write(this.retryFrame);
    socket.write(current.frame);
    socket.uncork();
    this.opts.metrics.sseEventsPushed.inc();
    let set = this.byPoll.get(poll);
    if (!set) {
      set = new Set();
      this.byPoll.set(poll, set);
    }
    set.add(socket);
    this.clientCount++;
    this.byAddress.set(address, this.clientsOf(address) + 1);
    this.opts.metrics.sseClients.set(this.clientCount);
    const subscribed = set;
    socket.once('close', () => {
      if (subscribed.delete(socket)) {
        this.clientCount--;
        const left = this.clientsOf(address) - 1;
        if (left > 0) this.byAddress.set(address, left);
        else this.byAddress.delete(address);
        this.opts.metrics.sseClients.set(this.clientCount);
      }
    });
  }

  /** Sends one update to every client of `poll`: one shared buffer, no per-client work. */
  publish(poll: string, snapshot: Snapshot): void {
    const set = this.byPoll.get(poll);
    if (!set || set.size === 0) return;
    let sent = 0;
    for (const socket of set) if (this.write(socket, snapshot.frame)) sent++;
    this.opts.metrics.sseEventsPushed.inc(sent);
  }

  /** Ends every stream politely (randomized retry hint), then forces the stragglers closed. */
  async close(graceMs = 1000): Promise<void> {
    this.closing = true;
    clearInterval(this.keepalive);
    const all = [...this.byPoll.values()].flatMap((s) => [...s]);
    if (all.length > 0) this.opts.logger.info({ clients: all.length }, 'closing event streams; browsers will reconnect');
    const closed = all.map((socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve()))));
    for (const socket of all) {
      const retry = Math.round(this.retryMs * (0.5 + Math.random() * 1.5));
      socket.end(`retry: ${retry}\n\n`);
    }
    this.opts.metrics.sseClientsDropped.inc({ reason: 'shutdown' }, all.length);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const socket of all) if (!socket.destroyed) socket.destroy();
  }

  private write(socket: Socket, frame: Buffer): boolean {
    if (socket.destroyed || socket.writableEnded) return false;
    if (socket.writableLength > this.maxBufferBytes) {
      this.opts.logger.debug({ buffered: socket.writableLength }, 'dropping slow SSE client');
      this.opts.metrics.sseClientsDropped.inc({ reason: 'slow' });
      socket.destroy();
      return false;
    }
    socket.write(frame);
    return true;
  }

  private keepaliveAll(): void {
    for (const set of this.byPoll.values()) for (const socket of set) this.write(socket, KEEPALIVE);
  }
}
