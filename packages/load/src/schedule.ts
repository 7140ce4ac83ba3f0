/**
 * Schedule: who votes next, in which poll, for which option, and whether the run may send
 * another new vote now (vote count and target rate).
 */
import type { LoadOptions } from './runner.js';

export interface WeightedPoll {
  readonly id: string;
  readonly weight: number;
}

export interface Ballot {
  readonly voter: number;
  readonly poll: string;
  readonly option: string;
}

type ScheduleOptions = Pick<LoadOptions, 'voters' | 'revoteShare' | 'votes' | 'rate'>;

export class VoteSchedule {
  /** Voters 0 … nextNew-1 have voted (or are voting); the rest are new. */
  private nextNew = 0;
  private readonly weightTotal: number;

  constructor(
    private readonly options: ScheduleOptions,
    private readonly polls: readonly WeightedPoll[],
    private readonly optionsOf: ReadonlyMap<string, readonly string[]>,
  ) {
    this.weightTotal = polls.reduce((s, p) => s + p.weight, 0);
  }

  /** True while the vote count and the target rate allow one more new vote `elapsedMs` into the run. */
  mayStart(sent: number, elapsedMs: number): boolean {
    if (this.options.votes !== undefined && sent >= this.options.votes) return false;
    return !(this.options.rate > 0 && sent >= (this.options.rate * elapsedMs) / 1000);
  }

  /** The next ballot: a new voter, or (revoteShare of the time) one who voted and is not busy; undefined when none is free. */
  next(busy: Uint8Array): Ballot | undefined {
    const voter = this.pickVoter(busy);
    if (voter < 0) return undefined;
    const poll = this.polls.length === 1 ? (this.polls[0] as WeightedPoll).id : this.pickPoll();
    const options = this.optionsOf.get(poll) ?? [];
    const option = options[Math.floor(Math.random() * options.length)];
    if (option === undefined) throw new Error(`poll ${poll} has no options`);
    return { voter, poll, option };
  }

  private pickVoter(busy: Uint8Array): number {
    const { voters, revoteShare } = this.options;
    const wantNew = this.nextNew < voters && (this.nextNew === 0 || Math.random() >= revoteShare);
    if (wantNew) return this.nextNew++;
    for (let i = 0; i < 8; i++) {
      const v = Math.floor(Math.random() * this.nextNew);
      if (!busy[v]) return v;
    }
    return this.nextNew < voters ? this.nextNew++ : -1;
  }

  private pickPoll(): string {
    let r = Math.random() * this.weightTotal;
    for (const p of this.polls) {
      r -= p.weight;
      if (r < 0) return p.id;
    }
    return (this.polls[this.polls.length - 1] as WeightedPoll).id;
  }
}
