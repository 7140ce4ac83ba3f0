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
