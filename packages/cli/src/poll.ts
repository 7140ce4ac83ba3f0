/**
 * `bernstein poll create|close|archive|list|codes`: the poll service's admin API from a
 * terminal. The token is --token, else ADMIN_TOKEN, else the one the local run keeps in its
 * data directory; the service is --url, else POLL_URL, else the local run's address.
 * Exit codes: 0 done, 1 the service refused (its message is printed), 2 usage error.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Io } from './cli.js';

export const POLL_USAGE = `usage: bernstein poll <command> [options]

commands:
  list                               the polls, their status and access mode
  create <question> <answer> <answer> [<answer>…] [--id ID] [--closes-at ISO-TIME] [--codes]
                                     a poll of 2 to 20 answers; --codes: votes need one-time access codes
  close <poll>                       stop taking votes (votes acknowledged before count, none after)
  archive <poll>                     close and hide it from the lists (its results stay)
  codes <poll> <count> [--out FILE]  generate one-time access codes (a CSV file with --out)

options:
  --url URL        the poll service (default: POLL_URL, else http://127.0.0.1:8080, the local run)
  --token TOKEN    the admin token (default: ADMIN_TOKEN, else the local run's .bernstein/admin-token)
  --json           print the service's JSON answer

Exit codes: 0 done, 1 refused by the service (the message says why), 2 usage error.`;

class UsageError extends Error {}

interface Context {
  url: string;
  token: string | undefined;
  json: boolean;
  io: Io;
  fetch: typeof fetch;
}

function localToken(): string | undefined {
  const file = join(process.env.BERNSTEIN_DATA_DIR || join(process.cwd(), '.bernstein'), 'admin-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

async function call(ctx: Context, method: string, path: string, body?: unknown, admin = true): Promise<unknown> {
  if (admin && !ctx.token) throw new UsageError('no admin token: pass --token or set ADMIN_TOKEN (the local run prints where it keeps one)');
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (admin && ctx.token) headers.authorization = `Bearer ${ctx.token}`;
  let res: Response;
  try {
    res = await ctx.fetch(new URL(path, ctx.url), { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (err) {
    throw new ServiceError(`cannot reach the poll service at ${ctx.url} (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`);
  }
  const text = await res.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = text;
  }
  if (!res.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ServiceError(`${res.status} ${error?.code ?? res.statusText}: ${error?.message ?? text.slice(0, 200)}`);
  }
  return data;
}

class ServiceError extends Error {}

interface PollJson {
  id: string;
  question: string;
  status: string;
  access: string;
  closesAt: string | null;
  managedBy: string;
  options: { id: string; label: string }[];
}

export async function runPoll(args: string[], io: Io, fetchImpl: typeof fetch = fetch): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'boolean', default: false },
        id: { type: 'string' },
        'closes-at': { type: 'string' },
        codes: { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`bernstein poll: ${(err as Error).message}\n\n${POLL_USAGE}\n`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (v.help || command === 'help') {
    io.out(`${POLL_USAGE}\n`);
    return 0;
  }
  const ctx: Context = {
    url: v.url ?? process.env.POLL_URL ?? 'http://127.0.0.1:8080',
    token: v.token ?? process.env.ADMIN_TOKEN ?? localToken(),
    json: v.json,
    io,
    fetch: fetchImpl,
  };
  try {
    switch (command) {
      case 'list': {
        const { polls } = (await call(ctx, 'GET', '/api/polls', undefined, false)) as { polls: PollJson[] };
        if (ctx.json) io.out(`${JSON.stringify({ polls }, null, 2)}\n`);
        else for (const p of polls) io.out(`${p.id}\t${p.status}\t${p.access}\t${p.managedBy === 'configuration' ? 'configuration' : 'api'}\t${p.question}\n`);
        return 0;
      }
      case 'create': {
        const [question, ...answers] = rest;
        if (question === undefined || answers.length < 2) throw new UsageError('create needs a question and at least two answers');
        const body = {
          question,
          options: answers.map((label) => ({ label })),
          ...(v.id ? { id: v.id } : {}),
          ...(v['closes-at'] ? { closesAt: v['closes-at'] } : {}),
          access: v.codes ? 'codes' : 'open',
        };
        const poll = (await call(ctx, 'POST', '/api/polls', body)) as PollJson;
        if (ctx.json) io.out(`${JSON.stringify(poll, null, 2)}\n`);
        else io.out(`created poll ${poll.id} (${poll.access === 'codes' ? 'access codes' : 'open'}): ${new URL(`/polls/${poll.id}`, ctx.url).href}\n`);
        return 0;
      }
      case 'close':
      case 'archive': {
        const [id] = rest;
        if (id === undefined || rest.length !== 1) throw new UsageError(`${command} needs exactly one poll id`);
        const reply = await call(ctx, 'POST', `/api/polls/${encodeURIComponent(id)}/${command}`);
        if (ctx.json) io.out(`${JSON.stringify(reply, null, 2)}\n`);
        else io.out(`${command === 'close' ? 'closed' : 'archived'} poll ${id}\n`);
        return 0;
      }
      case 'codes': {
        const [id, countText] = rest;
        const count = Number(countText);
        if (id === undefined || !Number.isSafeInteger(count) || count < 1) throw new UsageError('codes needs a poll id and a count (1 to 1000)');
        const { codes } = (await call(ctx, 'POST', `/api/polls/${encodeURIComponent(id)}/codes`, { count })) as { codes: string[] };
        const csv = `code\n${codes.join('\n')}\n`;
        if (v.out) {
          writeFileSync(v.out, csv, { mode: 0o600 });
          io.out(`${codes.length} codes for poll ${id} written to ${v.out}\n`);
        } else io.out(ctx.json ? `${JSON.stringify({ poll: id, codes }, null, 2)}\n` : csv);
        return 0;
      }
      case undefined:
        throw new UsageError('which command?');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`bernstein poll: ${err.message}\n\n${POLL_USAGE}\n`);
      return 2;
    }
    if (err instanceof ServiceError) {
      io.err(`bernstein poll: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
