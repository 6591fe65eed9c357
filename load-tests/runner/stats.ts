/**
 * Latency samples in milliseconds; percentiles by sorting once at the end (runs are bounded).
 * A growing Float64Array, not a number[]: a rush records millions of deliveries, and a typed
 * array appends without boxing and sorts natively (a comparator sort of 4.5 M numbers took ~1 s
 * of the generator's CPU, which shares the cores with the server).
 */
export class Samples {
  private values = new Float64Array(1024);
  private n = 0;
  add(ms: number) {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = ms;
  }
  get count() {
    return this.n;
  }
  summary(): LatencySummary {
    const v = this.values.slice(0, this.n).sort();
    const pick = (p: number) => (v.length ? v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]! : null);
    const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
    return {
      count: v.length,
      p50: round(pick(50)),
      p95: round(pick(95)),
      p99: round(pick(99)),
      max: round(v.length ? v[v.length - 1]! : null),
    };
  }
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Attempt counters shared by every scenario's JSON line. */
export interface Counts {
  attempted: number;
  succeeded: number;
  conflicts: number;
  errors: number;
}

export const newCounts = (): Counts => ({ attempted: 0, succeeded: 0, conflicts: 0, errors: 0 });

export const round2 = (x: number) => Math.round(x * 100) / 100;

/** The search and matching targets: p95 ≤ 50 ms server-side, read from the one-at-a-time samples (no queueing; loopback included). */
export const P95_TARGET_MS = 50;
export function p95Target(p95: number | null) {
  return { measure: 'one request at a time, server + loopback', p95AtMostMs: P95_TARGET_MS, p95Ms: p95, met: p95 !== null && p95 <= P95_TARGET_MS };
}
