/**
 * Receipts are Redis stream ids (`<ms>-<seq>`): the order Redis gave the votes, which decides
 * which of a voter's votes is the last one. Both parts stay below 2^53 in practice (ms since
 * the epoch; seq within one millisecond), so plain numbers compare them fast; anything else
 * is rejected rather than misordered.
 */
export interface Receipt {
  readonly ms: number;
  readonly seq: number;
}

const RECEIPT = /^(\d{1,15})-(\d{1,15})$/;

export function parseReceipt(text: unknown): Receipt | undefined {
  if (typeof text !== 'string') return undefined;
  const m = RECEIPT.exec(text);
  if (!m) return undefined;
  return { ms: Number(m[1]), seq: Number(m[2]) };
}

/** Negative when a was given before b. */
export function compareReceipts(a: Receipt, b: Receipt): number {
  return a.ms !== b.ms ? a.ms - b.ms : a.seq - b.seq;
}
