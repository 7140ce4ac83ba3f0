/**
 * The shape of a recorded result (bench/results/<benchmark>.json): the machine, and a flat
 * list of figures, each with the exact command that produced it and, where the issue sets
 * one, its target. The README table and the chart are rendered from these files only.
 */
import type { Machine } from './machine.js';

export interface Target {
  /** `>=`: at least; `<=`: at most. */
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  /** Stable id, e.g. `poll.c50.votesPerSecond`. */
  id: string;
  /** Which benchmark and case, in words. */
  label: string;
  value: number;
  unit: string;
  /** `ours` for Bernstein, `ceiling` for the yardstick measured in the same run. */
  kind: 'ours' | 'ceiling';
  /** The command line that produced the figure (relative to the repository root). */
  command: string;
  target?: Target;
  /** Ids of the ceiling figures (same run) this figure is compared with. */
  ceilings?: string[];
  /** Set when a target exists: whether the value meets it. */
  pass?: boolean;
  note?: string;
}

export interface BenchResult {
  benchmark: string;
  smoke: boolean;
  /** How the run was invoked (`npm run bench -- poll`). */
  invocation: string;
  machine: Machine;
  /** Extra Node flags the services ran with ('' = none, as shipped). */
  serviceNodeOptions: string;
  startedAt: string;
  finishedAt: string;
  figures: Figure[];
  /** Free-form details of the run (raw generator output summaries, sizes). */
  details: Record<string, unknown>;
}

export function meets(value: number, target: Target): boolean {
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

/** Collects figures for one benchmark; evaluates targets as they are added. */
export class Recorder {
  readonly figures: Figure[] = [];
  readonly details: Record<string, unknown> = {};

  add(figure: Omit<Figure, 'pass'>): Figure {
    const rounded = Math.round(figure.value * 100) / 100;
    const f: Figure = { ...figure, value: rounded, ...(figure.target ? { pass: meets(rounded, figure.target) } : {}) };
    this.figures.push(f);
    return f;
  }
}
