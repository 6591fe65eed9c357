import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { customerHoldsKey, dueKey, holdMember, workshopKeys } from './hold-keys';
import { ORPHAN_AFTER_MS } from './hold-sweeper';
import type { HoldResult, SlotSeed } from './hold-store.types';
import { redisTestKit, uid } from './redis-test-kit';

/*
 * The one-round-trip hold: the schedule version check (STALE), counters seeded only from fresh
 * rows (NEED_SEED), the rate limit inside the customer's script, and the backstop that releases a
 * hold whose due entry never landed.
 */

const kit = redisTestKit();
afterAll(() => kit.close());

const seed = (slotId: string, capacity = 1, booked = 0): SlotSeed => ({ slotId, capacity, booked });
const okHold = (r: HoldResult) => {
  if (!r.ok) throw new Error(`expected a hold, got ${r.code}`);
  return r;
};
const base = (w: string, customerId = uid('c')) => ({ workshopId: w, serviceId: 'svc', customerId, ttlMs: 1000, maxActivePerCustomer: 3 });

describe('hold store: the schedule version', () => {
  it('a hold checked against an older version takes nothing and answers STALE; the current one holds', async () => {
    const store = kit.store(manualClock(1_700_000_000_000));
    const [w, s] = [uid('w'), uid('s')];
    await store.seedAbsent(w, [seed(s, 2)]);
    const before = await store.scheduleVersion(w);
    await store.bumpSchedule(w); // e.g. a vendor changed a price in another process
    const args = { ...base(w), slots: [{ slotId: s }] };
    expect(await store.hold({ ...args, version: before })).toEqual({ ok: false, code: 'STALE' });
    // Nothing kept: no unit, no quota, no due entry.
    expect((await store.snapshot(w, [seed(s, 2)])).slots[0]).toMatchObject({ held: 0, free: 2 });
    expect(await kit.connect().zcard(customerHoldsKey(kit.prefix, args.customerId))).toBe(0);
    expect((await kit.connect().zrange(dueKey(kit.prefix), '0', '-1')).filter((m) => m.startsWith(`${w}:`))).toEqual([]);

    const now = await store.scheduleVersion(w);
    expect(now).not.toBe(before);
    okHold(await store.hold({ ...args, version: now }));
  });
});

describe('hold store: counters absent', () => {
  it('asks for fresh seeds (NEED_SEED) and holds with them; booked counts come from the loader only', async () => {
    const store = kit.store(manualClock(1_700_000_000_000));
    const [w, a, b] = [uid('w'), uid('s'), uid('s')];
    await store.seedAbsent(w, [seed(a, 3)]);
    const asked: string[][] = [];
    // b is absent (lost with a Redis restart, say): Postgres has it full.
    const loadSeeds = async (ids: string[]) => {
      asked.push(ids);
      return ids.map((id) => (id === b ? seed(b, 2, 2) : seed(a, 3)));
    };
    const refused = await store.hold({ ...base(w), slots: [{ slotId: a }, { slotId: b }], loadSeeds });
    expect(refused).toEqual({ ok: false, code: 'SLOT_UNAVAILABLE', slotId: b });
    expect(asked).toEqual([[a, b]]);
    // Seeded with what Postgres said, and a was never touched.
    expect((await store.snapshot(w, [seed(a, 3), seed(b, 2, 2)])).slots.map((x) => [x.booked, x.held])).toEqual([[0, 0], [2, 0]]);

    // Known counters need no loader at all.
    const r = okHold(await store.hold({ ...base(w), slots: [{ slotId: a }], loadSeeds: async () => { throw new Error('not needed'); } }));
    expect(r.change.slots[0]).toMatchObject({ id: a, held: 1, free: 2 });
  });

  it('without a loader the hold fails and leaves nothing behind', async () => {
    const store = kit.store(manualClock(1_700_000_000_000));
    const [w, s] = [uid('w'), uid('s')];
    const args = { ...base(w), slots: [{ slotId: s }] };
    await expect(store.hold(args)).rejects.toThrow(/absent/);
    await expect.poll(() => kit.connect().zcard(customerHoldsKey(kit.prefix, args.customerId))).toBe(0);
    expect(await store.activeHoldCount(w)).toBe(0);
  });
});

describe('hold store: rate limit in the customer script', () => {
  it('answers RATE_LIMITED with the time left in the window once the points are used; the unit goes back', async () => {
    const store = kit.store(manualClock(1_700_000_000_000));
    const [w, s] = [uid('w'), uid('s')];
    const customerId = uid('c');
    const rate = { points: 2, windowMs: 60_000 };
    const args = { ...base(w, customerId), slots: [seed(s, 5)], rate };
    for (let i = 0; i < 2; i++) {
      const r = okHold(await store.hold(args));
      expect((await store.release(r.hold.id, customerId)).ok).toBe(true);
    }
    const limited = await store.hold(args);
    expect(limited).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect(!limited.ok && limited.code === 'RATE_LIMITED' && limited.retryAfterMs).toBeGreaterThan(50_000);
    expect((await store.snapshot(w, [seed(s, 5)])).slots[0]).toMatchObject({ held: 0, free: 5 });
    // Another customer has a budget of their own.
    okHold(await store.hold({ ...args, customerId: uid('c') }));
  });
});

describe('hold sweeper: the orphan backstop', () => {
  it('a hold whose due entry never landed is still released, once, by the scan of its workshop', async () => {
    const clock = manualClock(1_700_000_000_000);
    const [store, other] = [kit.store(clock), kit.store(clock)];
    const [w, s] = [uid('w'), uid('s')];
    const r = okHold(await store.hold({ ...base(w), slots: [seed(s, 1)] }));
    // As if the due entry's command was lost (a cluster node failing over, a process dying mid-pipeline).
    await kit.connect().zrem(dueKey(kit.prefix), holdMember(w, r.hold.id));

    clock.advance(1000 + ORPHAN_AFTER_MS);
    expect((await store.sweep()).filter((x) => x.hold.workshopId === w)).toEqual([]); // the due sweep cannot see it
    const found = (await Promise.all([store.sweepOrphans(), other.sweepOrphans()])).flat().filter((x) => x.hold.workshopId === w);
    expect(found.map((x) => x.hold.id)).toEqual([r.hold.id]);
    expect(found[0]!.change.slots[0]).toMatchObject({ id: s, held: 0, free: 1 });
    expect(await kit.connect().zcard(workshopKeys(kit.prefix, w).expiry)).toBe(0);
    expect((await store.sweepOrphans()).filter((x) => x.hold.workshopId === w)).toEqual([]);
  });

  it('leaves holds that are not yet long overdue to the due sweep', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, s] = [uid('w'), uid('s')];
    okHold(await store.hold({ ...base(w), slots: [seed(s, 1)] }));
    clock.advance(1000);
    expect((await store.sweepOrphans()).filter((x) => x.hold.workshopId === w)).toEqual([]);
    expect((await store.sweep()).filter((x) => x.hold.workshopId === w)).toHaveLength(1);
  });
});
