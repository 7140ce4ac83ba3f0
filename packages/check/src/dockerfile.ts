/** Stages of a parsed Dockerfile. */
import type { DockerInstruction, Dockerfile } from './model.js';

export interface Stage {
  readonly from: DockerInstruction;
  readonly image: string;
  readonly alias: string | undefined;
  readonly instructions: DockerInstruction[];
}

export function stages(d: Dockerfile): Stage[] {
  const out: Stage[] = [];
  for (const ins of d.instructions) {
    if (ins.instruction === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toLowerCase() === 'as');
      out.push({ from: ins, image: words[0] ?? '', alias: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else {
      out[out.length - 1]?.instructions.push(ins);
    }
  }
  return out;
}

/**
 * The stages a build can end in: the last stage, and every stage that no other stage builds
 * FROM or copies from (a Dockerfile with one target per service: `docker build --target poll`).
 */
export function targetStages(all: readonly Stage[]): Stage[] {
  const used = new Set<string>();
  for (const s of all) {
    used.add(s.image.toLowerCase());
    for (const i of s.instructions) {
      const from = /--from=(\S+)/.exec(i.instruction === 'COPY' ? i.args : '')?.[1];
      if (from) used.add(from.toLowerCase());
    }
  }
  return all.filter((s, i) => i === all.length - 1 || s.alias === undefined || !used.has(s.alias.toLowerCase()));
}

/**
 * The instructions a stage runs with: those of the stages it builds on (`FROM <earlier stage>`),
 * base first, then its own. USER, CMD and ENV are inherited along that chain.
 */
export function inheritedInstructions(stage: Stage, all: readonly Stage[]): DockerInstruction[] {
  const chain: Stage[] = [];
  for (let s: Stage | undefined = stage; s && !chain.includes(s); ) {
    chain.unshift(s);
    const base = s.image.toLowerCase();
    s = all.slice(0, all.indexOf(s)).findLast((x) => x.alias?.toLowerCase() === base);
  }
  return chain.flatMap((s) => s.instructions);
}

/** How a finding names a target stage: "the final stage", or the target's name when there are several. */
export function stageName(stage: Stage, targets: readonly Stage[]): string {
  return targets.length === 1 || stage.alias === undefined ? 'the final stage' : `target stage "${stage.alias}"`;
}
