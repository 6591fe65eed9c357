import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BoardCounters, CounterBucket } from '../domain/board-ports';
import { DELAY_BOUNDS_MS, delayBin } from '../domain/board';

/*
 * Marketplace counters shared by every process: one Redis hash per 10-second bucket
 * (`holds`, `bookings`, `d<bin>` for the change→emit delay histogram). Each process adds
 * up its own changes in memory and writes them with HINCRBY every `flushMs` (one MULTI for
 * everything since the last write), so a rush of changes costs Redis nothing per change;
 * each change is counted by the process that published it, so it counts once. Buckets
 * expire after the longest window the board reads (15 min) plus a margin. The board of
 * another process sees a change at most flushMs late; `flushed` lets the live board push
 * again once the counts have landed.
 */

export const BUCKET_MS = 10_000;
const KEEP_MS = 17 * 60_000;

export interface CounterRecorder extends BoardCounters {
  /** One availability change emitted after `delayMs` (null: not sampled); `newHold` counts it as a hold made. */
  change(now: number, delayMs: number | null, newHold: boolean): void;
  /** One booking request created. */
  booking(now: number): void;
  /** Writes what was counted so far (the timer does it every flushMs). */
  flush(): Promise<void>;
  /** Stops the timer after a last write. */
  close(): Promise<void>;
}

export function createBoardCounters(deps: { redis: Redis; prefix: string; logger: Logger; flushMs?: number; flushed?: () => void }): CounterRecorder {
  // One hash tag for every bucket: a flush's MULTI and `buckets`' pipeline touch several, which a
  // Redis Cluster only accepts within one hash slot.
  const keyOf = (bucket: number) => `${deps.prefix}{rt:stats}:${bucket}`;
  // Bucket number → field → count not yet written.
  let pending = new Map<number, Map<string, number>>();
  const add = (now: number, field: string) => {
    const bucket = Math.floor(now / BUCKET_MS);
    let fields = pending.get(bucket);
    if (!fields) pending.set(bucket, (fields = new Map()));
    fields.set(field, (fields.get(field) ?? 0) + 1);
  };

  // A lost write skews a rate slightly; it must never fail a change, so errors are only logged.
  async function flush() {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    const tx = deps.redis.multi();
    for (const [bucket, fields] of batch) {
      const key = keyOf(bucket);
      for (const [field, n] of fields) tx.hincrby(key, field, n);
      tx.pexpire(key, KEEP_MS);
    }
    try {
      await tx.exec();
      deps.flushed?.();
    } catch (err) {
      deps.logger.warn({ err }, 'board counter update failed');
    }
  }

  const timer = setInterval(() => void flush(), deps.flushMs ?? 500);
  timer.unref();

  return {
    change: (now, delayMs, newHold) => {
      if (newHold) add(now, 'holds');
      if (delayMs !== null) add(now, `d${delayBin(delayMs)}`);
    },
    booking: (now) => add(now, 'bookings'),
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },

    async buckets(now: number, windowMs: number): Promise<CounterBucket[]> {
      await flush(); // this process's own counts are never late on its own board
      const last = Math.floor(now / BUCKET_MS);
      const first = Math.floor((now - windowMs) / BUCKET_MS) + 1;
      const pipe = deps.redis.pipeline();
      for (let b = first; b <= last; b++) pipe.hgetall(keyOf(b));
      const replies = (await pipe.exec()) ?? [];
      const out: CounterBucket[] = [];
      replies.forEach(([err, raw], i) => {
        const hash = raw as Record<string, string> | null;
        if (err || !hash || Object.keys(hash).length === 0) return;
        const delayBins = Array.from({ length: DELAY_BOUNDS_MS.length + 1 }, (_, bin) => Number(hash[`d${bin}`] ?? 0));
        out.push({ start: (first + i) * BUCKET_MS, holds: Number(hash.holds ?? 0), bookings: Number(hash.bookings ?? 0), delayBins });
      });
      return out;
    },
  };
}
