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

/** Seeds packed for the script, per chunk; kept as long as the caller keeps the seed array (a cached slot list). */
const packedBySeeds = new WeakMap<readonly SlotSeed[], string[]>();

function pack(seeds: readonly SlotSeed[]): string[] {
  let packed = packedBySeeds.get(seeds);
  if (packed) return packed;
  const seen = new Set<string>();
  packed = chunked([...seeds], SNAPSHOT_CHUNK).map((chunk) => {
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
  packedBySeeds.set(seeds, packed);
  return packed;
}

/**
 * HoldPort.snapshot over the compact script (slot-scripts.ts SNAPSHOT_PACKED): the same seeding,
 * repair and seq/epoch semantics as the hold store's snapshot, chunked the same way, but the
 * seeds go as one packed string (built once per seed array) and the counts come back as a flat
 * number array, so a 330-slot read neither sends ~1,000 arguments nor parses 330 JSON objects.
 */
export function createSlotSnapshots(deps: { redis: Redis; prefix: string; clock: Clock; repairGraceMs?: number }) {
  const { redis, prefix, clock, repairGraceMs = 5000 } = deps;
  defineHoldCommands(redis);
  return {
    async snapshot(workshopId: string, seeds: readonly SlotSeed[]): Promise<Snapshot> {
      const k = workshopKeys(prefix, workshopId);
      const parts = pack(seeds);
      const chunks = seeds.length ? chunked([...seeds], SNAPSHOT_CHUNK).map((c, i) => ({ ids: c, packed: parts[i]! })) : [{ ids: [] as SlotSeed[], packed: '' }];
      return snapshotOfChunks(chunks, async ({ ids, packed }) => {
        const raw = JSON.parse(await redis.hfSnapshotPacked(k.slots, k.meta, Math.floor(clock.now()), crypto.randomUUID(), repairGraceMs, packed)) as {
          seq: number; epoch: string; n: number[] | Record<string, never>; repaired?: Parameters<typeof toChange>[1];
        };
        const n = Array.isArray(raw.n) ? raw.n : [];
        if (n.length !== 3 * ids.length) throw new Error(`slot snapshot: ${n.length / 3} counts for ${ids.length} slots`);
        const slots = ids.map((s: SlotSeed, i: number) => {
          const capacity = n[3 * i]!;
          const booked = n[3 * i + 1]!;
          const held = n[3 * i + 2]!;
          return { id: s.slotId, capacity, booked, held, free: Math.max(0, capacity - booked - held) };
        });
        return { seq: Number(raw.seq), epoch: String(raw.epoch), slots, repaired: raw.repaired ? [toChange(workshopId, raw.repaired)] : [] };
      });
    },
  };
}

export type SlotSnapshots = ReturnType<typeof createSlotSnapshots>;
