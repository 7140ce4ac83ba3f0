/**
 * Reads a poll's tallies from the result service: `GET /api/polls/:poll/results` for the
 * verification, and the SSE stream `GET /api/polls/:poll/events` for vote → visible latency.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { headersFor, type Target } from './target.js';

export interface Results {
  poll: string;
  options: { id: string; votes: number }[];
  total: number;
  stale: boolean;
}

export function talliesOf(results: Results): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of results.options) out[o.id] = o.votes;
  return out;
}

export class ResultsClient {
  private readonly pool: Pool;

  constructor(readonly target: Target) {
    this.pool = new Pool(target.origin, { connections: 4, headersTimeout: 10_000, bodyTimeout: 10_000 });
  }

  async results(poll: string): Promise<Results> {
    const res = await this.pool.request({
      method: 'GET',
      path: `${this.target.prefix}/api/polls/${encodeURIComponent(poll)}/results`,
      headers: headersFor(this.target, { accept: 'application/json' }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`results of ${poll} answered ${res.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as Results;
  }

  /**
   * Follows the SSE stream of `poll` until `signal` aborts, calling `onResults` with each
   * update as it arrives; reconnects (after 250 ms) when the stream breaks.
   */
  async follow(poll: string, onResults: (results: Results) => void, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const res = await this.pool.request({
          method: 'GET',
          path: `${this.target.prefix}/api/polls/${encodeURIComponent(poll)}/events`,
          headers: headersFor(this.target, { accept: 'text/event-stream' }),
          signal,
          bodyTimeout: 0,
        });
        if (res.statusCode !== 200) {
          await res.body.text();
          throw new Error(`events answered ${res.statusCode}`);
        }
        const parser = new SseParser((event, data) => {
          if (event === 'results') onResults(JSON.parse(data) as Results);
        });
        for await (const chunk of res.body) parser.push(chunk as Buffer);
      } catch {
        // broken stream or abort: reconnect unless we are done
      }
      if (!signal.aborted) await sleep(250);
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** The text/event-stream format: `event:` and `data:` lines, an empty line ends an event. */
export class SseParser {
  private buffer = '';
  private event = 'message';
  private data: string[] = [];

  constructor(private readonly dispatch: (event: string, data: string) => void) {}

  push(chunk: Buffer | string): void {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) this.dispatch(this.event, this.data.join('\n'));
      this.event = 'message';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // comment (keepalive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
