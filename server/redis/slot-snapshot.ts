import { randomUUID } from 'node:crypto';
import type { ClientContext, Redis, RedisValue, Result } from 'ioredis';
import type { Clock } from '../domain/clock';
import type { Snapshot, SlotSeed } from '../domain/hold-ports';
import { defineHoldCommands } from './hold-commands';
import { workshopKeys } from './hold-keys';
import { toChange } from './hold-replies';
import { chunked, snapshotOfChunks, SNAPSHOT_CHUNK } from './slot-counters';

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    hfSnapshotPacked(...keysThenArgs: RedisValue[]): Result<string, Context>;
  }
}

/**
 * Per seed array (a cached slot list's cut, kept while the caller keeps it): each chunk's packed
 * seeds and the last counts read for it, at which seq and epoch.
 */
type Chunk = {
  ids: SlotSeed[];
  packed: string;
  last?: Snapshot;
  /** The slot hash's field count after the last read, unless that read left a drift for its grace (then no fast path). */
  fastLen?: string;
};

function chunksOf(chunksBySeeds: WeakMap<readonly SlotSeed[], Chunk[]>, seeds: readonly SlotSeed[]): Chunk[] {
  let chunks = chunksBySeeds.get(seeds);
  if (!chunks) {
    const packed = pack(seeds);
    chunks = seeds.length ? chunked([...seeds], SNAPSHOT_CHUNK).map((ids, i) => ({ ids, packed: packed[i]! })) : [{ ids: [], packed: '' }];
    chunksBySeeds.set(seeds, chunks);
  }
  return chunks;
}

function pack(seeds: readonly SlotSeed[]): string[] {
  const seen = new Set<string>();
  return chunked([...seeds], SNAPSHOT_CHUNK).map((chunk) => {
    let out = '';
    for (const s of chunk) {
      if (!Number.isInteger(s.capacity) || !Number.isInteger(s.booked) || s.capacity < 0 || s.booked < 0) {
        throw new RangeError(`slot snapshot: bad seed for slot ${s.slotId}`);
      }
      if (!s.slotId || /[,;]/.test(s.slotId)) throw new RangeError(`slot snapshot: bad slot id ${s.slotId}`);
      if (seen.has(s.slotId)) throw new RangeError(`slot snapshot: slot ${s.slotId} listed twice`);
      seen.add(s.slotId);
      out += `${s.slotId},${s.capacity},${s.booked};`;
    }
    return out;
  });
}

/**
 * HoldPort.snapshot over the compact script (slot-scripts.ts SNAPSHOT_PACKED): the same seeding,
 * repair and seq/epoch semantics as the hold store's snapshot, chunked the same way, but the
 * seeds go as one packed string (built once per seed array) and the counts come back as a flat
 * number array, so a 330-slot read neither sends ~1,000 arguments nor parses 330 JSON objects; when
 * nothing changed since the last read of the same seeds (same seq and epoch, nothing repaired),
 * the script says so and the counts of that read are answered again — without reading a slot
 * when the slot hash's field count is also unchanged (the script's fast path, slot-scripts.ts).
 */
export function createSlotSnapshots(deps: { redis: Redis; prefix: string; clock: Clock; repairGraceMs?: number }) {
  const { redis, prefix, clock, repairGraceMs = 5000 } = deps;
  defineHoldCommands(redis);
  const chunksBySeeds = new WeakMap<readonly SlotSeed[], Chunk[]>();
  return {
    async snapshot(workshopId: string, seeds: readonly SlotSeed[]): Promise<Snapshot> {
      const k = workshopKeys(prefix, workshopId);
      return snapshotOfChunks(chunksOf(chunksBySeeds, seeds), async (chunk) => {
        const { ids, packed, last } = chunk;
        const raw = JSON.parse(
          await redis.hfSnapshotPacked(
            k.slots, k.meta, Math.floor(clock.now()), randomUUID(), repairGraceMs, packed,
            last ? String(last.seq) : '', last?.epoch ?? '', last ? (chunk.fastLen ?? '') : '',
          ),
        ) as { seq: number; epoch: string; same?: boolean; n?: number[] | Record<string, never>; repaired?: Parameters<typeof toChange>[1]; len: number; deferred?: boolean };
        chunk.fastLen = raw.deferred ? undefined : String(raw.len);
        if (raw.same && last) return last;
        const n = Array.isArray(raw.n) ? raw.n : [];
        if (n.length !== 3 * ids.length) throw new Error(`slot snapshot: ${n.length / 3} counts for ${ids.length} slots`);
        const slots = ids.map((s, i) => {
          const capacity = n[3 * i]!;
          const booked = n[3 * i + 1]!;
          const held = n[3 * i + 2]!;
          return { id: s.slotId, capacity, booked, held, free: Math.max(0, capacity - booked - held) };
        });
        const read: Snapshot = { seq: Number(raw.seq), epoch: String(raw.epoch), slots };
        // Kept without its repairs: those are published once, by this read.
        chunk.last = read;
        return raw.repaired ? { ...read, repaired: [toChange(workshopId, raw.repaired)] } : read;
      });
    },
  };
}

export type SlotSnapshots = ReturnType<typeof createSlotSnapshots>;
