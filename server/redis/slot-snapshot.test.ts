import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { createHoldStore } from './hold-store';
import { workshopKeys } from './hold-keys';
import type { SlotSeed } from './hold-store.types';
import { redisTestKit, uid } from './redis-test-kit';
import { SNAPSHOT_CHUNK } from './slot-counters';
import { createSlotSnapshots } from './slot-snapshot';

const kit = redisTestKit();
afterAll(() => kit.close());

const seeds = (n: number): SlotSeed[] => Array.from({ length: n }, (_, i) => ({ slotId: uid('s'), capacity: 1 + (i % 7), booked: i % 3 === 0 ? 1 : 0 }));
const countsOnly = (slots: Array<{ capacity: number; booked: number; held: number; free: number }>) => slots.map(({ capacity, booked, held, free }) => ({ capacity, booked, held, free }));

function setup() {
  const clock = manualClock(1_700_000_000_000);
  const redis = kit.connect();
  const store = createHoldStore({ redis, prefix: kit.prefix, clock, repairGraceMs: 5000 });
  const packed = createSlotSnapshots({ redis, prefix: kit.prefix, clock, repairGraceMs: 5000 });
  return { clock, redis, store, packed };
}

describe('packed snapshot reader (the hold store snapshot, compact on the wire)', () => {
  it('seeds absent counters and reads live ones exactly as the store snapshot does, chunked the same way', async () => {
    const { redis, store, packed } = setup();
    const [a, b] = [uid('w'), uid('w')];
    const sa = seeds(1234);
    const sb = sa.map((s) => ({ ...s, slotId: uid('s') }));
    // Live state Postgres does not know: holds on the same positions in both workshops.
    for (const i of [1, 499, 500, 778, 1233]) {
      for (const [w, s] of [[a, sa], [b, sb]] as const) {
        const r = await store.hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots: [s[i]!], ttlMs: 60_000, maxActivePerCustomer: 1 });
        expect(r.ok).toBe(true);
      }
    }
    const calls: number[] = [];
    const original = redis.hfSnapshotPacked.bind(redis);
    redis.hfSnapshotPacked = ((...args: Parameters<typeof original>) => {
      calls.push(String(args[5]).split(';').length - 1);
      return original(...args);
    }) as typeof redis.hfSnapshotPacked;
    const viaPacked = await packed.snapshot(a, sa);
    redis.hfSnapshotPacked = original;
    const viaStore = await store.snapshot(b, sb);

    expect(calls).toEqual([SNAPSHOT_CHUNK, SNAPSHOT_CHUNK, 234]);
    expect(viaPacked.slots.map((s) => s.id)).toEqual(sa.map((s) => s.slotId));
    expect(countsOnly(viaPacked.slots)).toEqual(countsOnly(viaStore.slots));
    expect(viaPacked.seq).toBe(viaStore.seq);
    // Read again: nothing drifted, so nothing is repaired and seq stays.
    const again = await packed.snapshot(a, sa);
    expect(again.seq).toBe(viaPacked.seq);
    expect(again.repaired).toBeUndefined();
  });

  it('repairs drifted counters from the seeds (one change, seq + 1) except within the grace, like the store', async () => {
    const { clock, redis, store, packed } = setup();
    const w = uid('w');
    const s = seeds(6);
    const first = await packed.snapshot(w, s);
    const k = workshopKeys(kit.prefix, w);
    // Drift: slot 0's booked count lost; slot 1's moved by a consume just now (its COMMIT may be in flight).
    await redis.hset(k.slots, `b:${s[0]!.slotId}`, 5, `b:${s[1]!.slotId}`, 4, `t:${s[1]!.slotId}`, clock.now());
    const read = await packed.snapshot(w, s);
    expect(read.seq).toBe(first.seq + 1);
    expect(read.repaired).toHaveLength(1);
    expect(read.repaired![0]!.slots.map((x) => x.id)).toEqual([s[0]!.slotId]);
    expect(read.slots[0]).toMatchObject({ booked: s[0]!.booked });
    expect(read.slots[1]).toMatchObject({ booked: 4 });
    // Past the grace the store's own snapshot and the packed one agree on the repair.
    clock.advance(5001);
    const later = await packed.snapshot(w, s);
    expect(later.slots[1]).toMatchObject({ booked: s[1]!.booked });
    expect(later.seq).toBe(read.seq + 1);
    const viaStore = await store.snapshot(w, s);
    expect(viaStore.slots).toEqual(later.slots);
    expect(viaStore.seq).toBe(later.seq);
  });

  it('answers an unchanged read with the last counts (same objects), and any change, repair or lost counter with fresh ones', async () => {
    const { redis, store, packed } = setup();
    const w = uid('w');
    const s = seeds(5);
    const first = await packed.snapshot(w, s);
    const again = await packed.snapshot(w, s);
    expect(again.seq).toBe(first.seq);
    again.slots.forEach((c, i) => expect(c).toBe(first.slots[i]));
    // A hold bumps seq: fresh counts.
    const held = await store.hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots: [s[2]!], ttlMs: 60_000, maxActivePerCustomer: 1 });
    expect(held.ok).toBe(true);
    const afterHold = await packed.snapshot(w, s);
    expect(afterHold.seq).toBe(first.seq + 1);
    expect(afterHold.slots[2]).toMatchObject({ held: 1 });
    // A counter lost without a seq bump is seeded again from the seeds (Postgres), and read fresh.
    const k = workshopKeys(kit.prefix, w);
    await redis.hdel(k.slots, `c:${s[2]!.slotId}`, `b:${s[2]!.slotId}`, `h:${s[2]!.slotId}`);
    const afterLoss = await packed.snapshot(w, s);
    expect(afterLoss.seq).toBe(afterHold.seq);
    expect(afterLoss.slots[2]).toMatchObject({ capacity: s[2]!.capacity, booked: s[2]!.booked, held: 0 });
    expect(afterLoss.slots[2]).not.toBe(afterHold.slots[2]);
  });

  it('answers an unchanged read without reading a slot: seq, epoch and the field count vouch for the last counts', async () => {
    const { redis, packed } = setup();
    const w = uid('w');
    const s = seeds(4);
    const first = await packed.snapshot(w, s);
    const k = workshopKeys(kit.prefix, w);
    // A count rewritten behind the scripts' back (no seq bump, same field count): nothing in the
    // product does this; here it shows the slots were not read again.
    await redis.hset(k.slots, `b:${s[0]!.slotId}`, 3);
    const fast = await packed.snapshot(w, s);
    expect(fast.slots[0]).toBe(first.slots[0]);
    expect(await redis.hget(k.slots, `b:${s[0]!.slotId}`)).toBe('3');
    // Any field added or removed (a slot seeded or pruned elsewhere, a lost counter) ends the fast path:
    // the full read repairs the rewritten count from the seeds.
    await redis.hset(k.slots, `c:${uid('other')}`, 1);
    const full = await packed.snapshot(w, s);
    expect(full.repaired?.[0]?.slots.map((x) => x.id)).toEqual([s[0]!.slotId]);
    expect(full.slots[0]).toMatchObject({ booked: s[0]!.booked });
  });

  it('keeps reading every slot while a drift waits out its grace, and repairs it once the grace is over', async () => {
    const { clock, redis, packed } = setup();
    const w = uid('w');
    const s = seeds(3);
    await packed.snapshot(w, s);
    const k = workshopKeys(kit.prefix, w);
    // A consume just now that Postgres does not show yet: left alone, and no fast path after it.
    await redis.hset(k.slots, `b:${s[1]!.slotId}`, 4, `t:${s[1]!.slotId}`, clock.now());
    await redis.hincrby(k.meta, 'seq', 1);
    const within = await packed.snapshot(w, s);
    expect(within.slots[1]).toMatchObject({ booked: 4 });
    expect(within.repaired).toBeUndefined();
    clock.advance(5001);
    const after = await packed.snapshot(w, s);
    expect(after.repaired?.[0]?.slots.map((x) => x.id)).toEqual([s[1]!.slotId]);
    expect(after.slots[1]).toMatchObject({ booked: s[1]!.booked });
  });

  it('refuses seeds it cannot pack', async () => {
    const { packed } = setup();
    await expect(packed.snapshot(uid('w'), [{ slotId: 'a,b', capacity: 1, booked: 0 }])).rejects.toThrow(RangeError);
    await expect(packed.snapshot(uid('w'), [{ slotId: 'x', capacity: -1, booked: 0 }])).rejects.toThrow(RangeError);
    const dup = { slotId: uid('s'), capacity: 1, booked: 0 };
    await expect(packed.snapshot(uid('w'), [dup, dup])).rejects.toThrow(RangeError);
  });

  it('reads an empty list (seq and epoch only)', async () => {
    const { packed } = setup();
    const snap = await packed.snapshot(uid('w'), []);
    expect(snap.slots).toEqual([]);
    expect(typeof snap.epoch).toBe('string');
  });
});
