import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BoardCounters, CounterBucket } from '../domain/board-ports';
import { DELAY_BOUNDS_MS, delayBin } from '../domain/board';

/*
 * Marketplace counters shared by every process: one Redis hash per 10-second bucket
 * (`holds`, `bookings`, `d<bin>` for the change→emit delay histogram), incremented with
 * HINCRBY by whichever process published the change, so each change counts once. Buckets
 * expire after the longest window the board reads (15 min) plus a margin.
 */

export const BUCKET_MS = 10_000;
const KEEP_MS = 17 * 60_000;

export interface CounterRecorder extends BoardCounters {
  /** One availability change emitted after `delayMs` (null: not sampled); `newHold` counts it as a hold made. */
  change(now: number, delayMs: number | null, newHold: boolean): void;
  /** One booking request created. */
  booking(now: number): void;
}

export function createBoardCounters(deps: { redis: Redis; prefix: string; logger: Logger }): CounterRecorder {
  const keyOf = (bucket: number) => `${deps.prefix}rt:stats:${bucket}`;
  // Fire-and-forget: a lost increment skews a rate slightly; it must never fail the change itself.
  const bump = (now: number, fields: string[]) => {
    const key = keyOf(Math.floor(now / BUCKET_MS));
    const tx = deps.redis.multi();
    for (const f of fields) tx.hincrby(key, f, 1);
    tx.pexpire(key, KEEP_MS)
      .exec()
      .catch((err) => deps.logger.warn({ err }, 'board counter update failed'));
  };

  return {
    change: (now, delayMs, newHold) => {
      const fields = [...(newHold ? ['holds'] : []), ...(delayMs === null ? [] : [`d${delayBin(delayMs)}`])];
      if (fields.length) bump(now, fields);
    },
    booking: (now) => bump(now, ['bookings']),

    async buckets(now: number, windowMs: number): Promise<CounterBucket[]> {
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
