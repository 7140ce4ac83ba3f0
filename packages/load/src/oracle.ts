/**
 * The load generator's own expectation of the tallies: every acknowledged vote, keyed by
 * (poll, voter); the vote with the latest receipt wins, exactly as the system promises
 * ("last vote wins by the order Redis gave the votes"). Acknowledgements may arrive out of
 * order (concurrent requests, retries), so arrival order is never trusted.
 */
import { compareReceipts, type Receipt } from './receipt.js';

interface Current {
  option: string;
  receipt: Receipt;
}

export type Tallies = Record<string, number>;

export class Oracle {
  /** poll → voter index → current vote */
  private readonly votes = new Map<string, Map<number, Current>>();

  /**
   * Records an acknowledged vote. Returns true when it is the voter's first vote in that poll
   * (it raises the poll's total by one), false when it is a re-vote.
   */
  record(poll: string, voter: number, option: string, receipt: Receipt): boolean {
    let byVoter = this.votes.get(poll);
    if (!byVoter) {
      byVoter = new Map();
      this.votes.set(poll, byVoter);
    }
    const current = byVoter.get(voter);
    if (!current) {
      byVoter.set(voter, { option, receipt });
      return true;
    }
    if (compareReceipts(receipt, current.receipt) > 0) {
      current.option = option;
      current.receipt = receipt;
    }
    return false;
  }

  /** How many voters have a vote in `poll`. */
  voters(poll: string): number {
    return this.votes.get(poll)?.size ?? 0;
  }

  /** Our votes' tallies in `poll`, per option (options nobody chose are absent). */
  tallies(poll: string): Tallies {
    const out: Tallies = {};
    for (const { option } of this.votes.get(poll)?.values() ?? []) out[option] = (out[option] ?? 0) + 1;
    return out;
  }

  polls(): string[] {
    return [...this.votes.keys()];
  }
}
