/**
 * Many SSE clients from one process, as cheaply as possible: a raw TCP socket each, one GET,
 * and a running count of `event: results` frames (a frame split across chunks is found by
 * keeping the tail of the previous chunk). No HTTP parser, no EventSource: the client side
 * must cost far less than the server it measures.
 */
import { connect, type Socket } from 'node:net';

const MARK = 'event: results';

export class SseClient {
  events = 0;
  closed = false;
  private tail = '';

  constructor(readonly socket: Socket) {}

  onData(chunk: string): void {
    const text = this.tail + chunk;
    let from = 0;
    for (;;) {
      const i = text.indexOf(MARK, from);
      if (i < 0) break;
      this.events++;
      from = i + MARK.length;
    }
    this.tail = text.slice(Math.max(from, text.length - MARK.length + 1));
  }
}

/** Opens one stream; resolves once its first event (the current results) arrived. */
export function openSse(port: number, path: string, timeoutMs = 30_000): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const client = new SseClient(socket);
    socket.setEncoding('utf8');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no first event on ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`));
    socket.on('data', (chunk: string) => {
      client.onData(chunk);
      if (client.events === 1) {
        clearTimeout(timer);
        resolve(client);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      client.closed = true;
      clearTimeout(timer);
      reject(new Error('closed before the first event'));
    });
  });
}

/** Opens `n` streams, `parallel` at a time (the listen backlog is finite). */
export async function openMany(port: number, path: string, n: number, parallel = 250): Promise<SseClient[]> {
  const clients: SseClient[] = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, n - i) }, () => openSse(port, path)));
    clients.push(...batch);
  }
  return clients;
}
