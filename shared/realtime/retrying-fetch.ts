/*
 * One fetch with a timeout, retried with capped, jittered exponential backoff. Split out
 * of slot-sync so the ordering logic there stays readable; timers are injected so tests
 * drive time, and cancel() releases every timer so a stopped screen leaves nothing behind.
 */

/** Timer functions, injectable so tests control time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The platform timers, looked up per call so fake timers installed later still apply. */
export const platformTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as Parameters<typeof clearTimeout>[0]),
};

/** Backoff after failed attempts: min(maxMs, baseMs·2^n)·(0.5…1); rejects after maxAttempts. */
export interface RetryPolicy {
  baseMs?: number;
  maxMs?: number;
  maxAttempts?: number;
}

/** Options of {@link createRetryingFetch}. */
export interface RetryingFetchOptions<T> {
  fetch: () => Promise<T>;
  timers: Timers;
  /** An attempt that has not settled by then fails (a lost ack must not hang the caller). */
  timeoutMs: number;
  retry?: RetryPolicy;
  /** Jitter source, so thousands of clients do not retry in lockstep after a restart. */
  random?: () => number;
}

/** Thrown into the caller's await when cancel() interrupts it. */
export class FetchCancelled extends Error {
  constructor() {
    super('fetch cancelled');
  }
}

/** A reusable retrying fetch. */
export interface RetryingFetch<T> {
  /** Resolves with the first success; `beforeAttempt` runs right before each attempt starts. */
  run(beforeAttempt?: () => void): Promise<T>;
  /** Rejects the pending run() with FetchCancelled and clears its timers. */
  cancel(): void;
}

/** Creates a retrying fetch. */
export function createRetryingFetch<T>(opts: RetryingFetchOptions<T>): RetryingFetch<T> {
  const { baseMs = 250, maxMs = 10_000, maxAttempts = Infinity } = opts.retry ?? {};
  const random = opts.random ?? Math.random;
  const { timers } = opts;
  let cancelled = false;
  // The current wait (attempt or backoff), so cancel() can wake its awaiter.
  let current: { abort: () => void } | null = null;

  /** Settles with `work`, or after `ms` with `onTimeout`, or with FetchCancelled on cancel(). */
  function wait<R>(work: Promise<R> | null, ms: number, onTimeout: () => R | Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      // Only the first outcome counts; a late answer must not touch a newer wait.
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(timer);
        if (current === me) current = null;
        fn();
      };
      const timer = timers.setTimeout(() => settle(() => Promise.resolve().then(onTimeout).then(resolve, reject)), ms);
      const me = { abort: () => settle(() => reject(new FetchCancelled())) };
      current = me;
      work?.then(
        (v) => settle(() => resolve(v)),
        (e) => settle(() => reject(e)),
      );
    });
  }

  return {
    async run(beforeAttempt) {
      cancelled = false;
      for (let attempt = 0; ; attempt++) {
        if (cancelled) throw new FetchCancelled();
        try {
          beforeAttempt?.();
          let work: Promise<T>;
          try {
            work = opts.fetch(); // called synchronously: the caller counts calls right away
          } catch (err) {
            work = Promise.reject(err);
          }
          return await wait(work, opts.timeoutMs, () => {
            throw new Error(`fetch timed out after ${opts.timeoutMs} ms`);
          });
        } catch (err) {
          if (cancelled || err instanceof FetchCancelled) throw new FetchCancelled();
          if (attempt + 1 >= maxAttempts) throw err;
        }
        const delay = Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + 0.5 * random());
        await wait<void>(null, delay, () => undefined);
      }
    },
    cancel() {
      cancelled = true;
      current?.abort();
    },
  };
}
