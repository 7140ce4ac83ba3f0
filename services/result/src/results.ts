/**
 * The results of one poll as every client sees them (API body and SSE event data), built from
 * the configured poll and the tally rows read from PostgreSQL.
 *
 * Decision: options are those of the configuration, in its order. A configured option without
 * a tally row shows 0 votes with its label. A tally row for an option that is not configured
 * (left over from an older configuration) is not shown and not counted in `total`, so the
 * percentages on the page always add up over what is shown.
 */
import type { Poll } from '@bernstein/common';

export interface OptionResult {
  readonly id: string;
  readonly label: string;
  readonly votes: number;
}

export interface Results {
  readonly poll: string;
  readonly question: string;
  readonly options: readonly OptionResult[];
  readonly total: number;
  /** ISO time of the latest change of a shown tally; null before the first vote (or while unknown). */
  readonly updatedAt: string | null;
  /** True while these are the last known values and PostgreSQL cannot be reached. */
  readonly stale: boolean;
}

/** One tally row as read from the `tallies` table. */
export interface TallyRow {
  readonly option: string;
  readonly votes: number;
  readonly updatedAt: Date;
}

export function buildResults(poll: Poll, rows: readonly TallyRow[], stale: boolean): Results {
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
  return { poll: poll.id, question: poll.question, options, total, updatedAt: latest?.toISOString() ?? null, stale };
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
