/**
 * Sends votes to one or more poll instances (round-robin) over keep-alive undici pools sized
 * to the concurrency, optionally pipelined. The hot path does no more than build a small
 * request and read a small JSON answer.
 */
import { Pool } from 'undici';
import { headersFor, type Target } from './target.js';

export interface VoteOutcome {
  /** HTTP status, or 0 when the request failed without an answer (connection refused, reset, timeout). */
  status: number;
  receipt?: string;
  /** `bernstein_voter=…` from Set-Cookie, when the answer set one. */
  cookie?: string;
  retryAfterMs?: number;
  /** The error code of a JSON error answer, or the network error's message. */
  error?: string;
}

export interface PollInfo {
  id: string;
  options: string[];
}

export interface VoteClientOptions {
  connections: number;
  pipelining: number;
  timeoutMs: number;
}

const COOKIE_NAME = 'bernstein_voter=';

function voterCookie(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const line of Array.isArray(header) ? header : [header]) {
    if (!line.startsWith(COOKIE_NAME)) continue;
    const pair = line.slice(0, line.indexOf(';') === -1 ? line.length : line.indexOf(';'));
    // A cleared cookie (empty value) is not an identity.
    return pair.length > COOKIE_NAME.length ? pair : undefined;
  }
  return undefined;
}

export class VoteClient {
  private readonly pools: Pool[];
  private next = 0;
  private readonly bodies = new Map<string, string>();
  private readonly paths = new Map<string, string>();

  constructor(
    readonly targets: Target[],
    options: VoteClientOptions,
  ) {
    if (targets.length === 0) throw new Error('at least one poll URL is needed');
    const perTarget = Math.max(1, Math.ceil(options.connections / targets.length));
    this.pools = targets.map(
      (t) =>
        new Pool(t.origin, {
          connections: perTarget,
          pipelining: options.pipelining,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
          keepAliveTimeout: 30_000,
        }),
    );
  }

  /** The polls and their option ids, from the first poll instance. */
  async polls(): Promise<PollInfo[]> {
    const target = this.targets[0] as Target;
    const res = await (this.pools[0] as Pool)
      .request({ method: 'GET', path: `${target.prefix}/api/polls`, headers: headersFor(target, { accept: 'application/json' }) })
      .catch((err: unknown) => {
        throw new Error(`cannot reach poll at ${target.origin}${target.prefix} (${(err as { code?: string }).code ?? (err as Error).message}); is the system running (npm start)?`);
      });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET ${target.origin}${target.prefix}/api/polls answered ${res.statusCode}: ${text.slice(0, 200)}`);
    const data = JSON.parse(text) as { polls: { id: string; options: { id: string }[] }[] };
    return data.polls.map((p) => ({ id: p.id, options: p.options.map((o) => o.id) }));
  }

  async vote(poll: string, option: string, cookie: string | undefined): Promise<VoteOutcome> {
    const index = this.next;
    this.next = (index + 1) % this.pools.length;
    const target = this.targets[index] as Target;
    const key = `${poll}\u0000${option}`;
    let body = this.bodies.get(key);
    if (body === undefined) {
      body = JSON.stringify({ option });
      this.bodies.set(key, body);
    }
    let path = this.paths.get(poll);
    if (path === undefined) {
      path = `${target.prefix}/api/polls/${encodeURIComponent(poll)}/votes`;
      this.paths.set(poll, path);
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (cookie) headers.cookie = cookie;
    if (target.host) headers.host = target.host;
    try {
      const res = await (this.pools[index] as Pool).request({ method: 'POST', path, headers, body });
      const text = await res.body.text();
      const outcome: VoteOutcome = { status: res.statusCode };
      const set = voterCookie(res.headers['set-cookie']);
      if (set) outcome.cookie = set;
      let data: { receipt?: unknown; error?: { code?: unknown } } | undefined;
      try {
        data = JSON.parse(text) as typeof data;
      } catch {
        data = undefined;
      }
      if (res.statusCode === 202) {
        if (typeof data?.receipt === 'string') outcome.receipt = data.receipt;
      } else {
        outcome.error = typeof data?.error?.code === 'string' ? data.error.code : `HTTP ${res.statusCode}`;
        const retryAfter = Number(res.headers['retry-after']);
        if (Number.isFinite(retryAfter) && retryAfter >= 0) outcome.retryAfterMs = retryAfter * 1000;
      }
      return outcome;
    } catch (err) {
      return { status: 0, error: (err as { code?: string }).code ?? (err as Error).message };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close()));
  }
}
