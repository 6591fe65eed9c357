import type { ChangeCause } from '@shared/availability';
import { afterAll, describe, expect, it } from 'vitest';
import { redisTestKit, uid } from '../redis/redis-test-kit';
import { manualClock } from './clock';
import type { Change } from './hold-ports';
import { createLiveCounts } from './live-counts';

const kit = redisTestKit();
afterAll(() => kit.close());

// These operations never read Postgres; anything that tried would fail the test loudly.
const noPostgres = new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`unexpected slot store call: ${String(name)}`)) });

function setUp() {
  const clock = manualClock(1_700_000_000_000);
  const published: Array<{ change: Change; cause: ChangeCause }> = [];
  const live = createLiveCounts({
    store: kit.store(clock),
    slots: noPostgres as never,
    publisher: { slotsChanged: (change, cause) => published.push({ change, cause }) },
    clock,
    horizonDays: 28,
  });
  return { clock, live, published };
}

describe('live counts', () => {
  it('publishes every change it makes exactly once, with its cause, in seq order and gap-free; refusals publish nothing', async () => {
    const { clock, live, published } = setUp();
    const [w, a, b] = [uid('w'), uid('s'), uid('s')];
    const slots = [{ id: a, capacity: 1, booked: 0 }, { id: b, capacity: 2, booked: 0 }];
    const start = await live.snapshot(w, slots);
    const hold = (customerId: string, on = slots) => live.hold({ workshopId: w, serviceId: 'svc', customerId, slots: on, ttlMs: 1000, maxActivePerCustomer: 3 });
    const [c1, c2, c3] = [uid('c'), uid('c'), uid('c')];

    const h1 = await hold(c1);
    expect((await hold(c2)).ok).toBe(false); // slot a is full: refused
    expect((await live.release(uid('h'), c2)).ok).toBe(false); // no such hold: refused
    const ext = await live.extend(h1.ok ? h1.hold.id : '', c1, { ttlMs: 1000, maxExtensions: 2, maxLifeMs: 3000 });
    const consumed = await live.consume(h1.ok ? h1.hold.id : '', c1);
    await live.returnBooked(w, [a, b]);
    const h2 = await hold(c2, [slots[1]!]);
    const released = await live.release(h2.ok ? h2.hold.id : '', c2);
    const h3 = await hold(c3, [slots[1]!]);
    const h4 = await hold(c2, [slots[1]!]);
    clock.advance(1000);
    const late = await live.consume(h3.ok ? h3.hold.id : '', c3); // expired: the consume releases it
    const swept = await live.sweep();

    expect(published.map((p) => p.cause)).toEqual(['held', 'extended', 'booked', 'booking_returned', 'held', 'released', 'held', 'held', 'expired', 'expired']);
    expect(published.map((p) => p.change.seq)).toEqual(published.map((_, i) => start.seq + 1 + i));
    expect(published.every((p) => p.change.workshopId === w && p.change.epoch === start.epoch)).toBe(true);
    // What was published is what each call returned, not a copy made separately.
    const returned = [h1, ext, consumed, released, late].map((r) => ('change' in r ? r.change : null));
    expect(returned.every((c) => c !== null && published.some((p) => p.change === c))).toBe(true);
    expect(swept.map((r) => r.hold.id)).toEqual([h4.ok ? h4.hold.id : '']);
    expect(published[published.length - 1]!.change).toBe(swept[0]!.change);
    expect(late).toMatchObject({ ok: false, code: 'HOLD_EXPIRED' });
    // Nothing was left held: both slots are back to all free.
    expect((await live.snapshot(w, slots)).slots.map((s) => [s.id, s.held, s.free])).toEqual([[a, 0, 1], [b, 0, 2]]);
  });

  it('publishes a snapshot read\'s repairs as resync', async () => {
    const { live, published } = setUp();
    const [w, a] = [uid('w'), uid('s')];
    await live.snapshot(w, [{ id: a, capacity: 2, booked: 0 }]);
    // Postgres now says one unit is booked (a booking Redis never saw): the next read repairs it.
    const snap = await live.snapshot(w, [{ id: a, capacity: 2, booked: 1 }]);
    expect(snap.slots).toEqual([{ id: a, capacity: 2, booked: 1, held: 0, free: 1 }]);
    expect(published.map((p) => [p.cause, p.change.seq, p.change.slots])).toEqual([['resync', snap.seq, snap.slots]]);
  });
});
