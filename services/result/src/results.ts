/**
 * The results of one poll as every client sees them (API body and SSE event data), built from
 * the configured poll and the tally rows read from PostgreSQL.
 *
 * Decision: options are those of the configuration, in its order. A configured option without
 * a tally row shows 0 votes with its label. A tally row for an option that is not configured
 * (left over from an older configuration) is not shown and not counted in `total`, so the
 * percentages on the page always add up over what is shown.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { statusOf, type Poll, type PollDefinition } from '@bernstein/common';
import type { resultsSchema } from './schemas.js';

/** The results object: the API's body and every event's data, typed from its schema (schemas.ts). */
export type Results = FromSchema<typeof resultsSchema>;
export type OptionResult = Results['options'][number];

/** A poll as results need it: configured polls have no lifecycle (always open). */
export type ResultsPoll = Poll & Partial<Pick<PollDefinition, 'status' | 'closesAt' | 'closedAt'>>;

/** One tally row as read from the `tallies` table. */
export interface TallyRow {
  readonly option: string;
  readonly votes: number;
  readonly updatedAt: Date;
}

export function buildResults(poll: ResultsPoll, rows: readonly TallyRow[], stale: boolean): Results {
  const byOption = new Map(rows.map((r) => [r.option, r]));
  let total = 0;
  let latest: Date | undefined;
  const options = poll.options.map((o) => {
    const row = byOption.get(o.id);
    const votes = row?.votes ?? 0;
    total += votes;
    if (row && (latest === undefined || row.updatedAt > latest)) latest = row.updatedAt;
    return { id: o.id, label: o.label, votes };
  });
  const status = statusOf({ status: poll.status ?? 'open', closesAt: poll.closesAt ?? null });
  const closedAt = status === 'closed' ? (poll.closedAt ?? poll.closesAt ?? null) : null;
  return { poll: poll.id, question: poll.question, options, total, updatedAt: latest?.toISOString() ?? null, stale, status, closedAt };
}

/** A published version of a poll's results, serialized once and shared by every reader. */
export interface Snapshot {
  readonly results: Results;
  /** The API response body. */
  readonly json: string;
  /** The complete SSE event; one buffer written to every subscribed socket. */
  readonly frame: Buffer;
}

export function snapshotOf(results: Results): Snapshot {
  const json = JSON.stringify(results);
  return { results, json, frame: Buffer.from(`event: results\ndata: ${json}\n\n`) };
}
