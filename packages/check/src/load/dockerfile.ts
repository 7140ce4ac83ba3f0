/** A small Dockerfile reader: instructions with their lines, continuation lines joined. */
import type { Dockerfile, DockerInstruction } from '../model.js';

export const DOCKERFILE_NAMES = /^(Dockerfile|Containerfile)(\.[\w.-]+)?$|\.(Dockerfile|dockerfile)$/;

export function parseDockerfile(file: string, text: string): Dockerfile {
  const instructions: DockerInstruction[] = [];
  const lines = text.split(/\r?\n/);
  let pending: { line: number; text: string } | undefined;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (pending === undefined && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending !== undefined && trimmed.startsWith('#')) return;
    const continues = trimmed.endsWith('\\');
    const piece = (continues ? trimmed.slice(0, -1) : trimmed).trim();
    pending = pending ? { line: pending.line, text: `${pending.text} ${piece}` } : { line: i + 1, text: piece };
    if (!continues) {
      const m = /^(\S+)\s*(.*)$/.exec(pending.text);
      if (m) instructions.push({ instruction: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim(), line: pending.line });
      pending = undefined;
    }
  });
  return { file, instructions };
}
