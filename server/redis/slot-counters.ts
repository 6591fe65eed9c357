import type { Redis } from 'ioredis';
import type { Snapshot } from './hold-store.types';
import type { WorkshopKeys } from './hold-keys';

/**
 * Slot-counter housekeeping kept out of the Lua scripts: bounded snapshot reads, the schedule
 * version that validates cached slot lists, and pruning counters of slots that are gone.
 */

/** Slots one snapshot script call reads: keeps each call to a few ms however big the workshop. */
export const SNAPSHOT_CHUNK = 500;
/** Fields per HSCAN/HDEL step while pruning. */
const PRUNE_BATCH = 600;
/** Re-reads of a chunked snapshot whose chunks saw different seqs before settling for the first one. */
const SNAPSHOT_ATTEMPTS = 3;

export function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads a snapshot in chunks, one after another (each chunk its own short script, so other
 * clients run in between). When every chunk saw the same seq, the counts are exactly those of
 * that seq. If changes landed in between, it retries; if they keep landing, it answers with the
 * FIRST chunk's seq: every count read is then at least that new, and every later change is an
 * event with a higher seq carrying absolute counts, so a client replaying them ends up exact.
 */
export async function chunkedSnapshot<S>(seeds: S[], read: (chunk: S[]) => Promise<Snapshot>): Promise<Snapshot> {
  return snapshotOfChunks(seeds.length ? chunked(seeds, SNAPSHOT_CHUNK) : [[]], read);
}

/** chunkedSnapshot over chunks the caller made (at least one; e.g. pre-packed ones). */
export async function snapshotOfChunks<C>(chunks: C[], read: (chunk: C) => Promise<Snapshot>): Promise<Snapshot> {
  let parts: Snapshot[] = [];
  // Repairs made by any chunk of any attempt: each is a change with its own seq, to be published.
  const repaired: NonNullable<Snapshot['repaired']> = [];
  for (let attempt = 1; attempt <= SNAPSHOT_ATTEMPTS; attempt++) {
    parts = [];
    for (const chunk of chunks) {
      const part = await read(chunk);
      repaired.push(...(part.repaired ?? []));
      parts.push(part);
    }
    const [first, last] = [parts[0]!, parts[parts.length - 1]!];
    if (first.epoch === last.epoch && first.seq === last.seq) break;
  }
  const first = parts[0]!;
  return { seq: first.seq, epoch: first.epoch, slots: parts.flatMap((p) => p.slots), ...(repaired.length ? { repaired } : {}) };
}

/** Changes whenever the workshop's set of slots changes, or when Redis lost its counters (new epoch). */
export async function scheduleVersion(redis: Redis, keys: WorkshopKeys): Promise<string> {
  const [epoch, version] = await Promise.all([redis.hget(keys.meta, 'epoch'), redis.get(keys.schedule)]);
  return `${epoch ?? '-'}:${version ?? '0'}`;
}

export async function bumpScheduleVersion(redis: Redis, keys: WorkshopKeys): Promise<void> {
  await redis.incr(keys.schedule);
}

/**
 * Deletes the counters (`c:`/`b:`/`h:` fields, and the `t:` stamp of the last booked move) of slots that `stillLive` does not vouch for:
 * past slots and slots removed by schedule edits. Scans in steps, so Redis is never blocked
 * for long; a slot must be confirmed gone by Postgres before its fields go. Returns the
 * number of slots pruned.
 */
export async function pruneSlotCounters(redis: Redis, keys: WorkshopKeys, stillLive: (ids: string[]) => Promise<Set<string>>): Promise<number> {
  let cursor = '0';
  let pruned = 0;
  const seen = new Set<string>();
  do {
    const [next, flat] = await redis.hscan(keys.slots, cursor, 'COUNT', PRUNE_BATCH);
    cursor = next;
    const ids: string[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const id = flat[i]!.slice(2);
      if (!seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
    if (!ids.length) continue;
    const live = await stillLive(ids);
    const dead = ids.filter((id) => !live.has(id));
    for (const part of chunked(dead, PRUNE_BATCH / 3)) {
      await redis.hdel(keys.slots, ...part.flatMap((id) => [`c:${id}`, `b:${id}`, `h:${id}`, `t:${id}`]));
    }
    pruned += dead.length;
  } while (cursor !== '0');
  return pruned;
}
