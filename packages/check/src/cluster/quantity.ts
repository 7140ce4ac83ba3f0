/**
 * Kubernetes resource quantities ("100m", "0.5", "128Mi", "1G", "1e3") as numbers: CPU in
 * millicores, memory in bytes. Undefined when malformed (the schema rules report those).
 */

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** The quantity's value in base units (cores, bytes), or undefined. */
export function quantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(v.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
  const factor = SUFFIX[m[3] ?? ''];
  return factor === undefined ? undefined : base * factor;
}

/** CPU quantity in millicores (rounded up, as the API stores at most millicore precision). */
export function cpuMillis(v: unknown): number | undefined {
  const q = quantity(v);
  return q === undefined ? undefined : Math.ceil(Math.round(q * 1e6) / 1e3);
}

export function memoryBytes(v: unknown): number | undefined {
  const q = quantity(v);
  return q === undefined ? undefined : Math.ceil(q);
}

/** "1.5 CPU", "250m CPU" for messages. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000} CPU` : `${millis}m CPU`;
}

/** "512 MiB", "4 GiB" for messages. */
export function formatMemory(bytes: number): string {
  const units: [string, number][] = [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ];
  for (const [unit, size] of units) if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  return `${bytes} B`;
}
