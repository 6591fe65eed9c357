import type { Redis } from 'ioredis';
import { dueKey, holdMember, parseHoldMember, workshopKeys } from './hold-keys';
import type { ScriptReply } from './hold-replies';
import { toChange, toHold } from './hold-replies';
import type { HoldRecord, Released, SweeperOptions } from './hold-store.types';

/** Some claims failed; `released` holds the ones that did succeed, so none goes unpublished. */
export class SweepError extends AggregateError {
  constructor(
    errors: unknown[],
    readonly released: Released[],
  ) {
    super(errors, `hold sweep: ${errors.length} claim(s) failed`);
    this.name = 'SweepError';
  }
}

export interface SweepContext {
  redis: Redis;
  prefix: string;
  graceMs: number;
  now(): number;
  claim(workshopId: string, holdId: string, now: number): Promise<ScriptReply>;
  /** Workshops that have slot counters (the backstop scans their expiry sets). */
  workshops(): Promise<string[]>;
  /** Best-effort cleanup of the cross-slot bookkeeping (due entry, customer zset, index). */
  forget(hold: HoldRecord): Promise<void>;
}

/**
 * Claims due holds. Concurrent sweepers read the same due entries; the claim script
 * re-checks that the hold still exists and is due, so exactly one of them releases it.
 */
export async function sweepDue(ctx: SweepContext, limit: number): Promise<Released[]> {
  const due = dueKey(ctx.prefix);
  const t = ctx.now();
  const flat = await ctx.redis.zrangebyscore(due, '-inf', t, 'WITHSCORES', 'LIMIT', 0, limit);
  const jobs: Promise<Released | null>[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    jobs.push(claimOne(ctx, flat[i]!, Number(flat[i + 1]), t));
  }
  const settled = await Promise.allSettled(jobs);
  const released: Released[] = [];
  const errors: unknown[] = [];
  for (const s of settled) {
    if (s.status === 'rejected') errors.push(s.reason);
    else if (s.value) released.push(s.value);
  }
  if (errors.length > 0) throw new SweepError(errors, released);
  return released;
}

/** Holds this long past their expiry are the backstop's (the due sweep normally had them long before). */
export const ORPHAN_AFTER_MS = 5000;

/**
 * Backstop: the hold's due entry is a separate command from the script that takes the units (they
 * live in different hash slots), so on a cluster a hold can exist without one (a node failing over
 * between them, a process dying while its pipeline was half applied). Each workshop's own expiry
 * set always has it (written inside the hold script): holds found there well past their expiry
 * are claimed like due ones, exactly once however many processes scan.
 */
export async function sweepOrphans(ctx: SweepContext, limit: number): Promise<Released[]> {
  const t = ctx.now();
  const released: Released[] = [];
  const errors: unknown[] = [];
  for (const workshopId of await ctx.workshops()) {
    const ids = await ctx.redis.zrangebyscore(workshopKeys(ctx.prefix, workshopId).expiry, '-inf', t - ORPHAN_AFTER_MS, 'LIMIT', 0, limit);
    const settled = await Promise.allSettled(ids.map((holdId) => claimOne(ctx, holdMember(workshopId, holdId), Number.NaN, t)));
    for (const s of settled) {
      if (s.status === 'rejected') errors.push(s.reason);
      else if (s.value) released.push(s.value);
    }
  }
  if (errors.length > 0) throw new SweepError(errors, released);
  return released;
}

async function claimOne(ctx: SweepContext, member: string, score: number, t: number) {
  const { workshopId, holdId } = parseHoldMember(member);
  const due = dueKey(ctx.prefix);
  const reply = await ctx.claim(workshopId, holdId, t);
  if (reply.ok) {
    const hold = toHold(reply.hold);
    // The units are already back; leftovers here only cost a later GONE check.
    await ctx.forget(hold).catch(() => undefined);
    return { hold, change: toChange(workshopId, reply.change) };
  }
  if (reply.code === 'NOT_DUE' && reply.expiresAt !== undefined) {
    // Extended after its due entry was written: move the entry, unless it was removed meanwhile.
    await ctx.redis.zadd(due, 'XX', reply.expiresAt, member);
  } else if (reply.code === 'GONE' && score <= t - ctx.graceMs) {
    // Fresh GONE entries belong to a racing sweeper (it removes them) or to a hold still being
    // created (its entry is written first); only stale ones are ours to delete.
    await ctx.redis.zrem(due, member);
  }
  return null;
}

/** Runs sweep every intervalMs (at once again while it keeps finding a full batch) until stopped. */
export function runSweeper(
  sweep: (limit: number) => Promise<Released[]>,
  opts: SweeperOptions,
  limit = 100,
): { stop(): Promise<void> } {
  const intervalMs = opts.intervalMs ?? 250;
  const onError = opts.onError ?? ((err: unknown) => console.error('hold sweeper failed', err));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const deliver = async (rs: Released[]) => {
    for (const r of rs) {
      try {
        await opts.onReleased(r);
      } catch (err) {
        onError(err);
      }
    }
  };
  const tick = async () => {
    let full = false;
    try {
      const rs = await sweep(limit);
      full = rs.length >= limit;
      await deliver(rs);
    } catch (err) {
      if (err instanceof SweepError) await deliver(err.released);
      onError(err);
    }
    if (!stopped) schedule(full ? 0 : intervalMs);
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      inFlight = tick();
    }, ms);
    // Shutdown calls stop(); an idle sweeper must not keep the process alive by itself.
    timer.unref();
  };

  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
