/**
 * The poll benchmark's load generator, run as its own process (`node --import=tsx
 * bench/lib/vote-generator.ts '<options JSON>'`), printing one JSON line of results.
 *
 * Why not autocannon: the benchmark must vote from many client addresses (poll's vote limits
 * are per address), and autocannon can only fake that with a fresh `X-Forwarded-For` per
 * request (`-I`), which cost the two shared cores so much that even the bare node:http
 * server fell from ~47,000 to ~31,000 requests/s. This generator gives each connection a
 * source address of its own instead (the whole 127/8 is local on Linux): the server sees
 * real, distinct peers, trusts no header, and the generator spends nothing per request on it.
 *
 * It is deliberately small: keep-alive connections, one request in flight per connection
 * (no pipelining, like a browser), a request prebuilt once as bytes, and a response parser
 * that reads only the status code and the framing. Latency is measured per request to the
 * hundredth of a millisecond (autocannon rounds to whole milliseconds).
 */
import { connect, type Socket } from 'node:net';
import { Samples } from '@bernstein/load';

export interface GeneratorOptions {
  host: string;
  port: number;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationS: number;
  /** Bind connection i to its own source address (127.1.0.0 + i); false: the kernel's choice. */
  sourceAddressPerConnection: boolean;
}

export interface GeneratorResult {
  ok: number;
  non2xx: number;
  errors: number;
  /** Wall time from the first request to the end of the last answer, in seconds. */
  durationS: number;
  okPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  /** How many distinct source addresses the connections used. */
  sourceAddresses: number;
}

/** The i-th source address: 127.1.0.0 + i (127.1.0.1, 127.1.0.2, …), never 127.0.0.1. */
export function sourceAddress(i: number): string {
  const n = i + 1;
  return `127.1.${(n >> 8) & 0xff}.${n & 0xff}`;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export function run(o: GeneratorOptions): Promise<GeneratorResult> {
  const headerLines = Object.entries(o.headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const request = Buffer.from(
    `${o.method} ${o.path} HTTP/1.1\r\nhost: ${o.host}:${o.port}\r\n${headerLines}content-length: ${Buffer.byteLength(o.body)}\r\n\r\n${o.body}`,
  );
  const samples = new Samples();
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(o.durationS * 1e9));
  let lastAnswer = start;

  return new Promise((resolve) => {
    let open = o.connections;
    const finished = () => {
      if (--open > 0) return;
      const durationS = Number(lastAnswer - start) / 1e9;
      resolve({
        ok,
        non2xx,
        errors,
        durationS,
        okPerSecond: ok / Math.max(1e-9, durationS),
        latencyMs: samples.summary() ?? { p50: 0, p95: 0, p99: 0, max: 0, mean: 0 },
        sourceAddresses: o.sourceAddressPerConnection ? o.connections : 1,
      });
    };

    for (let i = 0; i < o.connections; i++) {
      const socket: Socket = connect({ host: o.host, port: o.port, ...(o.sourceAddressPerConnection ? { localAddress: sourceAddress(i) } : {}) });
      socket.setNoDelay(true);
      let pending: Buffer | undefined;
      let sentAt = 0n;
      let done = false;
      const send = () => {
        sentAt = process.hrtime.bigint();
        socket.write(request);
      };
      const stop = () => {
        if (done) return;
        done = true;
        socket.destroy();
        finished();
      };
      socket.on('connect', send);
      socket.on('error', () => {
        errors++;
        stop();
      });
      socket.on('close', stop);
      socket.on('data', (chunk: Buffer) => {
        let buf = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
        // Normally one chunk is one whole answer; the loop also copes with splits and merges.
        for (;;) {
          const headerEnd = buf.indexOf(HEADER_END);
          if (headerEnd === -1) break;
          const head = buf.toString('latin1', 0, headerEnd);
          const total = answerEnd(buf, head, headerEnd + 4);
          if (total === undefined) {
            errors++;
            stop();
            return;
          }
          if (total === -1) break;
          const now = process.hrtime.bigint();
          samples.add(Number(now - sentAt) / 1e6);
          lastAnswer = now;
          const status = head.charCodeAt(9);
          if (status === 50 /* '2' */) ok++;
          else non2xx++;
          buf = buf.subarray(total);
          if (now >= deadline) {
            stop();
            return;
          }
          send();
        }
        pending = buf.length === 0 ? undefined : buf;
      });
    }
  });
}

const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/**
 * Where the answer whose body starts at `bodyStart` ends: by Content-Length (poll), or at the
 * last chunk of a chunked body (node:http without a length: the bare server). The JSON bodies
 * measured never contain a raw CR or LF, so the first `0\r\n\r\n` at a line start is the end.
 * -1: not all here yet; undefined: neither framing (the answer cannot be delimited).
 */
function answerEnd(buf: Buffer, head: string, bodyStart: number): number | undefined {
  const lower = head.toLowerCase();
  const at = lower.indexOf('\r\ncontent-length:');
  if (at !== -1) {
    const end = lower.indexOf('\r\n', at + 2);
    const total = bodyStart + Number.parseInt(lower.slice(at + 17, end === -1 ? undefined : end), 10);
    return buf.length < total ? -1 : total;
  }
  if (!lower.includes('\r\ntransfer-encoding: chunked')) return undefined;
  for (let from = bodyStart; ; ) {
    const last = buf.indexOf(LAST_CHUNK, from);
    if (last === -1) return -1;
    if (last === bodyStart || (buf[last - 2] === 13 && buf[last - 1] === 10)) return last + LAST_CHUNK.length;
    from = last + 1;
  }
}

// As a process: options as the one argument, results as one JSON line on stdout.
if (import.meta.url === `file://${process.argv[1]}`) {
  const options = JSON.parse(process.argv[2] ?? '{}') as GeneratorOptions;
  void run(options).then((result) => process.stdout.write(`${JSON.stringify(result)}\n`));
}

/** The command as a reader would run it; `target` is a placeholder like `<poll>`. */
export function generatorCommand(o: Omit<GeneratorOptions, 'host' | 'port'>, target: string): string {
  const shown = { ...o, host: '127.0.0.1', port: target };
  return `node --conditions=source --import=tsx bench/lib/vote-generator.ts '${JSON.stringify(shown)}'`;
}

/** Runs the generator as its own process (never in the runner's event loop) and measures its CPU. */
export async function generate(o: GeneratorOptions): Promise<GeneratorResult & { generatorCores: number }> {
  const { spawn } = await import('node:child_process');
  const { cpuSeconds } = await import('./cpu.js');
  const child = spawn(process.execPath, ['--conditions=source', '--import=tsx', new URL(import.meta.url).pathname, JSON.stringify(o)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const t0 = performance.now();
  let cpu = 0;
  const sampler = setInterval(() => (cpu = cpuSeconds(child.pid) ?? cpu), 100);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  const wall = (performance.now() - t0) / 1000;
  const line = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`the vote generator failed (exit ${code}): ${err.trim() || out.trim()}`);
  return { ...(JSON.parse(line) as GeneratorResult), generatorCores: cpu / Math.max(0.001, wall) };
}
