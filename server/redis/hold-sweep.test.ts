import { afterAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { dueKey, workshopKeys } from './hold-keys';
import type { HoldRecord, HoldStore, Released, SlotSeed } from './hold-store.types';
import { redisTestKit, uid } from './redis-test-kit';

const kit = redisTestKit();
afterAll(() => kit.close());

const seed = (slotId: string, capacity: number): SlotSeed => ({ slotId, capacity, booked: 0 });
const mine = (rs: Released[], w: string) => rs.filter((r) => r.hold.workshopId === w);

async function holdMany(store: HoldStore, w: string, slots: SlotSeed[], n: number): Promise<HoldRecord[]> {
  const holds: HoldRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = await store.hold({ workshopId: w, serviceId: 'svc', customerId: uid('c'), slots, ttlMs: 1000, maxActivePerCustomer: 3 });
    if (!r.ok) throw new Error(`hold failed: ${r.code}`);
    holds.push(r.hold);
  }
  return holds;
}

describe('hold sweeper', () => {
  it('4 sweepers racing release each due hold exactly once, one seq step each', async () => {
    const clock = manualClock(1_700_000_000_000);
    const sweepers = Array.from({ length: 4 }, () => kit.store(clock));
    const store = sweepers[0]!;
    const [w, a, b] = [uid('w'), uid('s'), uid('s')];
    const seeds = [seed(a, 20), seed(b, 20)];
    const holds = await holdMany(store, w, seeds, 12);
    const before = await store.snapshot(w, seeds);
    expect(before.slots.map((s) => s.held)).toEqual([12, 12]);

    clock.advance(999);
    expect(mine(await store.sweep(), w)).toEqual([]); // not due yet
    clock.advance(1);
    const rounds = await Promise.all(sweepers.flatMap((s) => [s.sweep(), s.sweep(5)]));
    const released = mine(rounds.flat(), w);

    expect(released.map((r) => r.hold.id).sort()).toEqual(holds.map((h) => h.id).sort());
    const seqs = released.map((r) => r.change.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => before.seq + i + 1));
    expect(released.every((r) => r.change.slots.length === 2)).toBe(true);

    const after = await store.snapshot(w, seeds);
    expect(after.seq).toBe(before.seq + 12);
    expect(after.slots.map((s) => [s.held, s.free])).toEqual([[0, 20], [0, 20]]);
    expect(await store.activeHoldCount(w)).toBe(0);
    expect(mine((await Promise.all(sweepers.map((s) => s.sweep()))).flat(), w)).toEqual([]);
    const due = await kit.connect().zrange(dueKey(kit.prefix), '0', '-1');
    expect(due.filter((m) => m.startsWith(`${w}:`))).toEqual([]);
  });

  it('returns units even if the hold key lapsed before any sweeper ran', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, s] = [uid('w'), uid('s')];
    const [h] = await holdMany(store, w, [seed(s, 1)], 1);
    await kit.connect().del(workshopKeys(kit.prefix, w).hold(h!.id)); // as if its PX TTL ran out
    expect(await store.findHold(h!.id)).toBeNull();
    clock.advance(120_000);
    const released = mine(await store.sweep(), w);
    expect(released.map((r) => r.hold)).toEqual([h]);
    expect(released[0]!.change.slots).toEqual([{ id: s, capacity: 1, booked: 0, held: 0, free: 1 }]);
  });

  it('a stale due entry (extend crashed before moving it) is moved, not released', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, s] = [uid('w'), uid('s')];
    const [h] = await holdMany(store, w, [seed(s, 1)], 1);
    clock.advance(500);
    const ext = await store.extend(h!.id, h!.customerId, { ttlMs: 1000, maxExtensions: 2, maxLifeMs: 3000 });
    expect(ext.ok).toBe(true);
    const redis = kit.connect();
    await redis.zadd(dueKey(kit.prefix), h!.expiresAt, `${w}:${h!.id}`); // the old score again
    clock.advance(600);
    expect(mine(await store.sweep(), w)).toEqual([]);
    expect(Number(await redis.zscore(dueKey(kit.prefix), `${w}:${h!.id}`))).toBe(h!.expiresAt + 500);
    clock.advance(400);
    expect(mine(await store.sweep(), w).map((r) => r.hold.id)).toEqual([h!.id]);
  });

  it('startSweeper releases due holds and reports them until stopped', async () => {
    const clock = manualClock(1_700_000_000_000);
    const store = kit.store(clock);
    const [w, s] = [uid('w'), uid('s')];
    const [h] = await holdMany(store, w, [seed(s, 1)], 1);
    let done!: (r: Released) => void;
    const seen = new Promise<Released>((resolve) => (done = resolve));
    const errors: unknown[] = [];
    const sweeper = store.startSweeper({
      intervalMs: 10,
      onReleased: (r) => {
        if (r.hold.workshopId === w) done(r);
      },
      onError: (e) => errors.push(e),
    });
    clock.advance(1000);
    const r = await seen;
    await sweeper.stop();
    expect(r.hold.id).toBe(h!.id);
    expect(r.change.slots[0]).toMatchObject({ id: s, held: 0, free: 1 });
    expect(errors).toEqual([]);
  });
});
