/** Latency samples kept in a growable typed array; percentiles by sorting once at the end. */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export class Samples {
  private data = new Float64Array(1024);
  private n = 0;

  add(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
  }

  get count(): number {
    return this.n;
  }

  /** Nearest-rank percentiles in milliseconds, rounded to 0.01 ms; null without samples. */
  summary(): Percentiles | null {
    if (this.n === 0) return null;
    const sorted = this.data.slice(0, this.n).sort();
    const rank = (p: number) => sorted[Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1))] as number;
    let sum = 0;
    for (const v of sorted) sum += v;
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      count: this.n,
      p50: round(rank(50)),
      p95: round(rank(95)),
      p99: round(rank(99)),
      max: round(sorted[this.n - 1] as number),
      mean: round(sum / this.n),
    };
  }
}
