import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { customerHoldsKey, dueKey } from './hold-keys';
import type { HoldResult, HoldStore, SlotSeed } from './hold-store.types';
import { redisTestKit, uid } from './redis-test-kit';

const kit = redisTestKit();
afterAll(() => kit.close());

const seed = (slotId: string, capacity = 1, booked = 0): SlotSeed => ({ slotId, capacity, booked });
// Tests share one prefix, so a sweep may also release other tests' due holds: look at ours only.
const sweepOf = async (store: HoldStore, workshopId: string) =>
  (await store.sweep()).filter((r) => r.hold.workshopId === workshopId);
const okHold = (r: HoldResult) => {
  if (!r.ok) throw new Error(`expected a hold, got ${r.code}`);
  return r;
};

describe('hold store: holds, limits, release', () => {
  it('takes one unit per slot and reports only those slots', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, a, b, c] = [uid('w'), uid('s'), uid('s'), uid('s')];
    await store.snapshot(w, [seed(c, 5)]);
    const r = okHold(
      await store.hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots: [seed(a, 2), seed(b, 3, 1)], ttlMs: 1000, maxActivePerCustomer: 3 }),
    );
    expect(r.hold).toMatchObject({ workshopId: w, slotIds: [a, b], expiresAt: clock.now() + 1000, createdAt: clock.now(), extensions: 0 });
    expect(r.change.slots).toEqual([
      { id: a, capacity: 2, booked: 0, held: 1, free: 1 },
      { id: b, capacity: 3, booked: 1, held: 1, free: 1 },
    ]);
    expect(await store.findHold(r.hold.id)).toEqual(r.hold);
    expect(await store.activeHoldCount(w)).toBe(1);
  });

  it('limits active holds per customer across workshops; released and expired holds do not count', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const customerId = uid('c');
    const take = (w: string) =>
      store.hold({ workshopId: w, serviceId: 'svc', customerId, slots: [seed(uid('s'))], ttlMs: 1000, maxActivePerCustomer: 3 });
    const [w1, w2] = [uid('w'), uid('w')];
    const first = okHold(await take(w1));
    okHold(await take(w2));
    okHold(await take(w1));
    const fourthSlot = uid('s');
    const fourth = await store.hold({ workshopId: w2, serviceId: 'svc', customerId, slots: [seed(fourthSlot)], ttlMs: 1000, maxActivePerCustomer: 3 });
    // The customer's script ran beside the workshop's: the unit was taken and given back at once,
    // and both changes are reported so watchers see every seq.
    expect(fourth).toMatchObject({ ok: false, code: 'HOLD_LIMIT' });
    const undone = !fourth.ok && 'undone' in fourth ? fourth.undone! : [];
    expect(undone.map((c) => c.slots[0]!.held)).toEqual([1, 0]);
    expect(undone[1]!.seq).toBe(undone[0]!.seq + 1);
    // Refused once here, the customer is checked first next time: nothing is taken to be undone.
    const fifth = await store.hold({ workshopId: w2, serviceId: 'svc', customerId, slots: [seed(fourthSlot)], ttlMs: 1000, maxActivePerCustomer: 3 });
    expect(fifth).toEqual({ ok: false, code: 'HOLD_LIMIT' });
    // The refused hold took nothing.
    expect((await store.snapshot(w2, [seed(fourthSlot)])).slots[0]).toMatchObject({ held: 0, free: 1 });
    expect(await store.activeHolds(customerId)).toHaveLength(3);

    expect((await store.release(first.hold.id, customerId)).ok).toBe(true);
    okHold(await take(w2));
    expect((await take(w2)).ok).toBe(false);

    clock.advance(1000); // all expired, none swept yet
    expect(await store.activeHolds(customerId)).toEqual([]);
    for (let i = 0; i < 3; i++) okHold(await take(w1));
  });

  it('a slot-unavailable attempt gives back its customer reservation and due entry', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, full, open] = [uid('w'), uid('s'), uid('s')];
    const customerId = uid('c');
    const args = { workshopId: w, serviceId: 'svc', customerId, ttlMs: 1000, maxActivePerCustomer: 1 };
    const r = await store.hold({ ...args, slots: [seed(open, 5), seed(full, 3, 3)] });
    expect(r).toEqual({ ok: false, code: 'SLOT_UNAVAILABLE', slotId: full });
    expect((await store.snapshot(w, [seed(open, 5)])).slots[0]).toMatchObject({ held: 0, free: 5 });
    const redis = kit.connect();
    expect(await redis.zcard(customerHoldsKey(kit.prefix, customerId))).toBe(0);
    const dueOf = async () => (await redis.zrange(dueKey(kit.prefix), '0', '-1')).filter((m) => m.startsWith(`${w}:`));
    expect(await dueOf()).toEqual([]);
    const ok = okHold(await store.hold({ ...args, slots: [seed(open, 5)] }));
    expect(await dueOf()).toEqual([`${w}:${ok.hold.id}`]);
  });

  it('release is owner-only and returns the units once', async () => {
    const store = kit.store(manualClock(1_700_000_000_000));
    const [w, s, owner] = [uid('w'), uid('s'), uid('c')];
    const r = okHold(await store.hold({ workshopId: w, serviceId: 'svc', customerId: owner, slots: [seed(s)], ttlMs: 1000, maxActivePerCustomer: 3 }));
    expect(await store.release(r.hold.id, uid('c'))).toEqual({ ok: false, code: 'FORBIDDEN' });
    const released = await store.release(r.hold.id, owner);
    expect(released.ok && released.change.slots).toEqual([{ id: s, capacity: 1, booked: 0, held: 0, free: 1 }]);
    expect(await store.release(r.hold.id, owner)).toEqual({ ok: false, code: 'NOT_FOUND' });
    expect(await store.release('no-such-hold', owner)).toEqual({ ok: false, code: 'NOT_FOUND' });
    expect(await store.findHold(r.hold.id)).toBeNull();
    expect(await store.activeHoldCount(w)).toBe(0);
  });
});

describe('hold store: extend', () => {
  const setup = async (maxExt = 2) => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const customerId = uid('c');
    const r = okHold(await store.hold({ workshopId: uid('w'), serviceId: 'svc', customerId, slots: [seed(uid('s'))], ttlMs: 1000, maxActivePerCustomer: 3 }));
    const t0 = clock.now();
    const extend = () => store.extend(r.hold.id, customerId, { ttlMs: 1000, maxExtensions: maxExt, maxLifeMs: 3000 });
    return { clock, store, customerId, hold: r.hold, t0, extend };
  };

  it('allows two extensions, then refuses; only the owner may extend', async () => {
    const { clock, store, hold, t0, extend } = await setup();
    expect(await store.extend(hold.id, uid('c'), { ttlMs: 1000, maxExtensions: 2, maxLifeMs: 3000 })).toEqual({ ok: false, code: 'FORBIDDEN' });
    clock.advance(500);
    const e1 = await extend();
    expect(e1.ok && e1.hold).toMatchObject({ expiresAt: t0 + 1500, extensions: 1 });
    expect(e1.ok && e1.change.slots).toEqual([]); // no counts changed
    clock.advance(900);
    const e2 = await extend();
    expect(e2.ok && e2.hold).toMatchObject({ expiresAt: t0 + 2400, extensions: 2 });
    expect(await extend()).toEqual({ ok: false, code: 'HOLD_EXTENSION_LIMIT' });
    expect((await store.findHold(hold.id))?.expiresAt).toBe(t0 + 2400);
  });

  it('caps the hold life at maxLifeMs after creation', async () => {
    const { clock, t0, extend } = await setup(5);
    for (const at of [900, 1800]) {
      clock.set(t0 + at);
      expect((await extend()).ok).toBe(true);
    }
    clock.set(t0 + 2700);
    const capped = await extend();
    expect(capped.ok && capped.hold.expiresAt).toBe(t0 + 3000);
    clock.set(t0 + 2900);
    expect(await extend()).toEqual({ ok: false, code: 'HOLD_EXTENSION_LIMIT' });
  });

  it('an extended hold keeps counting against the customer limit and is not swept early', async () => {
    const { clock, store, customerId, hold, t0, extend } = await setup();
    clock.set(t0 + 900);
    await extend();
    clock.set(t0 + 1500);
    expect(await sweepOf(store, hold.workshopId)).toEqual([]);
    expect((await store.activeHolds(customerId)).map((h) => h.id)).toEqual([hold.id]);
  });

  it('cannot extend an expired hold', async () => {
    const { clock, extend } = await setup();
    clock.advance(1000);
    expect(await extend()).toEqual({ ok: false, code: 'HOLD_EXPIRED' });
  });
});

describe('hold store: consume and booked units', () => {
  it('consume moves held to booked; unconsume and returnBooked give booked back, never below 0', async () => {
    const store = kit.store(manualClock(1_700_000_000_000));
    const [w, a, b, customerId] = [uid('w'), uid('s'), uid('s'), uid('c')];
    const r = okHold(await store.hold({ workshopId: w, serviceId: 'svc', customerId, slots: [seed(a, 2), seed(b, 2)], ttlMs: 1000, maxActivePerCustomer: 3 }));
    expect(await store.consume(r.hold.id, uid('c'))).toEqual({ ok: false, code: 'FORBIDDEN' });
    const c = await store.consume(r.hold.id, customerId);
    expect(c.ok && c.change.slots).toEqual([
      { id: a, capacity: 2, booked: 1, held: 0, free: 1 },
      { id: b, capacity: 2, booked: 1, held: 0, free: 1 },
    ]);
    expect(await store.consume(r.hold.id, customerId)).toEqual({ ok: false, code: 'NOT_FOUND' });
    expect(await store.findHold(r.hold.id)).toBeNull();
    expect(await store.activeHolds(customerId)).toEqual([]);

    const u = await store.returnBooked(w, [a, b]);
    expect(u.slots.map((s) => s.booked)).toEqual([0, 0]);
    const again = await store.returnBooked(w, [a, a]);
    expect(again.slots).toEqual([{ id: a, capacity: 2, booked: 0, held: 0, free: 2 }]);
  });

  it('consuming an expired hold answers HOLD_EXPIRED and returns its units exactly once', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, s, customerId] = [uid('w'), uid('s'), uid('c')];
    const r = okHold(await store.hold({ workshopId: w, serviceId: 'svc', customerId, slots: [seed(s)], ttlMs: 1000, maxActivePerCustomer: 3 }));
    clock.advance(1000);
    const c = await store.consume(r.hold.id, customerId);
    expect(c.ok).toBe(false);
    expect(!c.ok && c.code).toBe('HOLD_EXPIRED');
    expect(!c.ok && 'change' in c && c.change.slots).toEqual([{ id: s, capacity: 1, booked: 0, held: 0, free: 1 }]);
    expect(await sweepOf(store, w)).toEqual([]);
    expect((await store.snapshot(w, [seed(s)])).slots[0]?.held).toBe(0);
  });
});
