import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import type { Change, HoldResult, SlotSeed } from './hold-store.types';
import { redisTestKit, uid } from './redis-test-kit';

const kit = redisTestKit();
afterAll(() => kit.close());

const seed = (slotId: string, capacity = 1, booked = 0): SlotSeed => ({ slotId, capacity, booked });
const okHold = (r: HoldResult) => {
  if (!r.ok) throw new Error(`expected a hold, got ${r.code}`);
  return r;
};
const slotIdsOf = (c: Change) => c.slots.map((s) => s.id);
const changeOf = (r: { ok: boolean; change?: Change }) => {
  if (!r.ok || !r.change) throw new Error('expected a change');
  return r.change;
};

describe('hold store: sequence, snapshot, resync', () => {
  it('seq rises by exactly one per change, and each change lists only the slots it changed', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, a, b, customerId] = [uid('w'), uid('s'), uid('s'), uid('c')];
    const seeds = [seed(a, 3), seed(b, 2)];
    const base = await store.snapshot(w, seeds);
    expect(base.seq).toBe(0);
    const hold = (slots: SlotSeed[]) =>
      store.hold({ workshopId: w, serviceId: 'svc', customerId, slots, ttlMs: 1000, maxActivePerCustomer: 5 });

    const changes: Change[] = [];
    const h1 = okHold(await hold([seeds[0]!]));
    changes.push(h1.change);
    const h2 = okHold(await hold(seeds));
    changes.push(h2.change);
    changes.push(changeOf(await store.release(h1.hold.id, customerId)));
    clock.advance(500);
    changes.push(changeOf(await store.extend(h2.hold.id, customerId, { ttlMs: 1000, maxExtensions: 2, maxLifeMs: 3000 })));
    changes.push(changeOf(await store.consume(h2.hold.id, customerId)));
    changes.push(await store.returnBooked(w, [a]));
    changes.push(await store.resync(w, [seed(a, 3, 0), seed(b, 4, 1)])); // only b differs
    changes.push(await store.resync(w, [seed(a, 3, 0), seed(b, 4, 1)])); // nothing differs

    expect(changes.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(changes.map(slotIdsOf)).toEqual([[a], [a, b], [a], [], [a, b], [a], [b], []]);
    expect(new Set(changes.map((c) => c.epoch))).toEqual(new Set([base.epoch]));
    expect(changes.every((c) => c.workshopId === w)).toBe(true);

    // A snapshot whose seeds agree with the counters only reads; it never bumps seq.
    const snap = await store.snapshot(w, [seed(a, 3, 0), seed(b, 4, 1)]);
    expect(snap).toEqual({
      seq: 8,
      epoch: base.epoch,
      slots: [
        { id: a, capacity: 3, booked: 0, held: 0, free: 3 },
        { id: b, capacity: 4, booked: 1, held: 0, free: 3 },
      ],
    });
  });

  it('a snapshot repairs capacity and booked from its seeds (Postgres) but keeps held, and reports the repair with its own seq', async () => {
    const store = kit.store(manualClock(1_700_000_000_000));
    const [w, s, t] = [uid('w'), uid('s'), uid('s')];
    okHold(await store.hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots: [seed(s, 3), seed(t, 1)], ttlMs: 1000, maxActivePerCustomer: 3 }));
    // Postgres does not know the hold and says s has 9 bays, one booked: capacity and booked follow it, held stays.
    const snap = await store.snapshot(w, [seed(s, 9, 1), seed(t, 1)]);
    expect(snap.slots).toEqual([
      { id: s, capacity: 9, booked: 1, held: 1, free: 7 },
      { id: t, capacity: 1, booked: 0, held: 1, free: 0 },
    ]);
    expect(snap.seq).toBe(2);
    expect(snap.repaired).toMatchObject([{ seq: 2, slots: [{ id: s, capacity: 9, booked: 1, held: 1, free: 7 }] }]);
  });

  it('repair writes only drifted slots Redis already counts, and moves seq only when it wrote one', async () => {
    const store = kit.store(manualClock(1_700_000_000_000));
    const [w, s, unknown] = [uid('w'), uid('s'), uid('s')];
    okHold(await store.hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots: [seed(s, 2)], ttlMs: 1000, maxActivePerCustomer: 3 }));
    expect(await store.repair(w, [seed(s, 2), seed(unknown, 5)])).toEqual({ changes: [], deferred: 0 });
    const fixed = await store.repair(w, [seed(s, 2, 1), seed(unknown, 5)]);
    expect(fixed).toMatchObject({ deferred: 0, changes: [{ seq: 2, slots: [{ id: s, capacity: 2, booked: 1, held: 1, free: 0 }] }] });
    // The unknown slot was not seeded by the repair: the next snapshot seeds it, without a change.
    const snap = await store.snapshot(w, [seed(unknown, 5)]);
    expect(snap.seq).toBe(2);
    expect(snap.repaired).toBeUndefined();
  });

  it('resync overwrites capacity and booked but keeps held; free never reported below 0', async () => {
    const store = kit.store(manualClock(1_700_000_000_000));
    const [w, s] = [uid('w'), uid('s')];
    const args = { workshopId: w, serviceId: 'svc', ttlMs: 1000, maxActivePerCustomer: 3, slots: [seed(s, 3)] };
    okHold(await store.hold({ ...args, customerId: uid('c') }));
    okHold(await store.hold({ ...args, customerId: uid('c') }));
    const shrunk = await store.resync(w, [seed(s, 2, 1)]);
    expect(shrunk.slots).toEqual([{ id: s, capacity: 2, booked: 1, held: 2, free: 0 }]);
    expect(await store.hold({ ...args, customerId: uid('c') })).toEqual({ ok: false, code: 'SLOT_UNAVAILABLE', slotId: s });
  });

  it('a repair leaves a slot alone for the grace after a consume moved its booked count (its COMMIT may be in flight)', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, s, customerId] = [uid('w'), uid('s'), uid('c')];
    const h = okHold(await store.hold({ workshopId: w, serviceId: 'svc', customerId, slots: [seed(s, 2)], ttlMs: 60_000, maxActivePerCustomer: 3 }));
    expect((await store.consume(h.hold.id, customerId)).ok).toBe(true);
    // Postgres, read before that confirm's COMMIT, still says booked 0.
    expect(await store.repair(w, [seed(s, 2, 0)])).toEqual({ changes: [], deferred: 1 });
    expect((await store.snapshot(w, [seed(s, 2, 0)])).slots[0]).toMatchObject({ booked: 1 });
    clock.advance(5000);
    // Past the grace the COMMIT has long happened or never will: Postgres wins.
    expect(await store.repair(w, [seed(s, 2, 0)])).toMatchObject({ deferred: 0, changes: [{ slots: [{ id: s, booked: 0, free: 2 }] }] });
  });

  it('after the workshop keys are lost (a Redis restart), snapshot reloads seeds under a new epoch', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, a, b, customerId] = [uid('w'), uid('s'), uid('s'), uid('c')];
    const seeds = [seed(a, 2), seed(b, 2)];
    const h = okHold(await store.hold({ workshopId: w, serviceId: 'svc', customerId, slots: seeds, ttlMs: 1000, maxActivePerCustomer: 3 }));
    const before = await store.snapshot(w, seeds);
    expect(before.seq).toBe(1);

    // FLUSHALL would hit other runs sharing this Redis: delete only this workshop's keys.
    expect(await kit.deleteKeys(`{w:${w}}*`)).toBeGreaterThanOrEqual(4);
    expect(await store.findHold(h.hold.id)).toBeNull();

    // Meanwhile Postgres has one booking on b.
    const after = await store.snapshot(w, [seed(a, 2), seed(b, 2, 1)]);
    expect(after.epoch).not.toBe(before.epoch);
    expect(after.seq).toBe(0);
    expect(after.slots).toEqual([
      { id: a, capacity: 2, booked: 0, held: 0, free: 2 },
      { id: b, capacity: 2, booked: 1, held: 0, free: 1 },
    ]);
    // The lost hold cannot be released any more, and nothing double-returns its units.
    expect(await store.release(h.hold.id, customerId)).toEqual({ ok: false, code: 'NOT_FOUND' });
    clock.advance(1000);
    expect((await store.sweep()).filter((r) => r.hold.workshopId === w)).toEqual([]);
    expect((await store.snapshot(w, seeds)).slots.map((s) => s.held)).toEqual([0, 0]);
  });
});
