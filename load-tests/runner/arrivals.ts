import { performance } from 'node:perf_hooks';
import { sleep } from './log';

export interface ArrivalStats {
  started: number;
  /** Arrivals not started because maxInFlight iterations were still running (k6: dropped_iterations). */
  dropped: number;
  elapsedMs: number;
  /** Arrivals per second actually started. */
  achievedRate: number;
}

/**
 * Open-model load like k6's constant-arrival-rate: iteration i starts at t0 + i/rate whatever the
 * server's latency, bounded by a count (rate × duration) and a time limit (duration + drainMs).
 */
export async function constantArrivals(
  rate: number,
  durationSec: number,
  maxInFlight: number,
  fn: (i: number) => Promise<void>,
  drainMs = 15_000,
): Promise<ArrivalStats> {
  const total = Math.round(rate * durationSec);
  const running = new Set<Promise<void>>();
  let started = 0;
  let dropped = 0;
  let i = 0;
  const t0 = performance.now();
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    while (i < due) {
      if (running.size >= maxInFlight) dropped++;
      else {
        const p: Promise<void> = fn(i)
          .catch(() => {})
          .finally(() => running.delete(p));
        running.add(p);
        started++;
      }
      i++;
    }
    if (i < total) await sleep(Math.max(1, Math.min(5, ((i + 1) / rate) * 1000 - (performance.now() - t0))));
  }
  const loadEnd = performance.now();
  await Promise.race([Promise.all(running), sleep(drainMs)]);
  const elapsedMs = loadEnd - t0;
  return { started, dropped, elapsedMs, achievedRate: Math.round((started / (elapsedMs / 1000)) * 10) / 10 };
}

/** Closed-model load: `workers` loops calling fn back to back for `durationSec` (bounded by maxIterations). */
export async function closedLoop(workers: number, durationSec: number, fn: (worker: number, i: number) => Promise<void>, maxIterations = 1_000_000): Promise<{ iterations: number; elapsedMs: number }> {
  const t0 = performance.now();
  const end = t0 + durationSec * 1000;
  let iterations = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end && iterations < maxIterations) {
        const i = iterations++;
        await fn(w, i).catch(() => {});
      }
    }),
  );
  return { iterations, elapsedMs: performance.now() - t0 };
}
