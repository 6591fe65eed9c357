import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import type { HoldResult, HoldStore, SlotSeed } from './hold-store.types';
import { expectConsistent, redisTestKit, uid } from './redis-test-kit';

const kit = redisTestKit();
afterAll(() => kit.close());

const seed = (slotId: string, capacity: number, booked = 0): SlotSeed => ({ slotId, capacity, booked });

/** Several stores on separate connections, like several server processes. */
const pool = (n: number) => {
  const clock = manualClock(1_700_000_000_000);
  return Array.from({ length: n }, () => kit.store(clock));
};
const pick = (stores: HoldStore[], i: number) => stores[i % stores.length]!;

describe('hold store under concurrency', () => {
  it('200 concurrent holds on a slot of capacity 2: exactly 2 succeed', async () => {
    const stores = pool(8);
    const [w, s] = [uid('w'), uid('s')];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        pick(stores, i).hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots: [seed(s, 2)], ttlMs: 60_000, maxActivePerCustomer: 3 }),
      ),
    );
    const ok = results.filter((r) => r.ok);
    const refused = results.filter((r): r is Extract<HoldResult, { ok: false }> => !r.ok);
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(198);
    expect(refused.every((r) => r.code === 'SLOT_UNAVAILABLE' && r.slotId === s)).toBe(true);

    const snap = await stores[0]!.snapshot(w, [seed(s, 2)]);
    expect(snap.slots).toEqual([{ id: s, capacity: 2, booked: 0, held: 2, free: 0 }]);
    // Only the two successes changed state.
    expect(snap.seq).toBe(2);
    expect(await stores[0]!.activeHoldCount(w)).toBe(2);
  });

  it('a 3-slot hold racing 1-slot holds on its middle slot never oversells and is all-or-nothing', async () => {
    const stores = pool(7);
    const w = uid('w');
    // Roomy outer slots, so most wide holds get as far as the contended middle one and fail there.
    const seeds = [seed(uid('s'), 50), seed(uid('s'), 3, 1), seed(uid('s'), 50)];
    const [left, middle, right] = seeds as [SlotSeed, SlotSeed, SlotSeed];
    const calls: Promise<{ wide: boolean; r: HoldResult }>[] = [];
    for (let i = 0; i < 120; i++) {
      const wide = i % 4 === 1; // 30 three-slot holds interleaved with 90 one-slot holds
      const slots = wide ? seeds : [middle];
      calls.push(
        pick(stores, i)
          .hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots, ttlMs: 60_000, maxActivePerCustomer: 3 })
          .then((r) => ({ wide, r })),
      );
    }
    const results = await Promise.all(calls);
    const wideOk = results.filter((x) => x.wide && x.r.ok).length;
    const narrowOk = results.filter((x) => !x.wide && x.r.ok).length;

    for (const x of results) {
      if (x.r.ok) x.r.change.slots.forEach(expectConsistent);
    }
    const snap = await stores[0]!.snapshot(w, seeds);
    snap.slots.forEach(expectConsistent);
    const [l, m, r] = snap.slots;
    // Middle had 2 free units; every success took exactly one of them.
    expect(wideOk + narrowOk).toBe(2);
    expect(m).toMatchObject({ capacity: 3, booked: 1, held: 2, free: 0 });
    // A failed wide hold left nothing behind on the outer slots.
    expect(l?.held).toBe(wideOk);
    expect(r?.held).toBe(wideOk);
    expect(snap.seq).toBe(2);
    expect(results.filter((x) => x.wide && !x.r.ok && x.r.code === 'SLOT_UNAVAILABLE')).toHaveLength(30 - wideOk);
    expect(left.slotId).toBe(l?.id);
    expect(right.slotId).toBe(r?.id);
  });

  it('one customer racing past the anti-hoarding limit gets exactly the limit', async () => {
    const stores = pool(4);
    const [w, customerId] = [uid('w'), uid('c')];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        pick(stores, i).hold({ workshopId: w, serviceId: 'svc', customerId, slots: [seed(uid('s'), 1)], ttlMs: 60_000, maxActivePerCustomer: 3 }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok && r.code === 'HOLD_LIMIT')).toHaveLength(37);
    expect(await stores[0]!.activeHolds(customerId)).toHaveLength(3);
    expect(await stores[0]!.activeHoldCount(w)).toBe(3);
  });

  it('a racing release and consume of one hold: exactly one wins', async () => {
    const stores = pool(2);
    const [w, s, customerId] = [uid('w'), uid('s'), uid('c')];
    const h = await stores[0]!.hold({ workshopId: w, serviceId: 'svc', customerId, slots: [seed(s, 1)], ttlMs: 60_000, maxActivePerCustomer: 3 });
    if (!h.ok) throw new Error('hold failed');
    const [rel, con] = await Promise.all([stores[0]!.release(h.hold.id, customerId), stores[1]!.consume(h.hold.id, customerId)]);
    expect([rel.ok, con.ok].filter(Boolean)).toHaveLength(1);
    // Read with the seed Postgres would give once the winner is done (a consume's booking committed).
    const snap = await stores[0]!.snapshot(w, [seed(s, 1, con.ok ? 1 : 0)]);
    expectConsistent(snap.slots[0]!);
    expect(snap.slots[0]!.held).toBe(0);
    expect(snap.slots[0]!.booked).toBe(con.ok ? 1 : 0);
    expect(snap.seq).toBe(2);
    expect(snap.repaired).toBeUndefined();
  });
});
