import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewBooking } from '../domain/booking-ports';
import { dayOfSlots, liveBookingsOn, pgSlots, quickAccounts, quickWorkshop, startEngineServer, type EngineServer } from '../test/fixtures';
import { createBooking } from './booking-confirm';
import { stmt } from './pg-pool';

/*
 * The confirm's SQL on the hot pool (named prepared statements) with Redis out of the way: Postgres
 * alone must keep capacity, the open-booking limit and the Idempotency-Key under concurrent
 * confirms, on connections that have the statements prepared already and on fresh ones.
 */

let es: EngineServer;
beforeAll(async () => {
  es = await startEngineServer();
});
afterAll(() => es?.server.close());

const DAY = 86_400_000;

function booking(customerId: string, w: { workshopId: string; serviceId: string }, slot: { id: string; startsAt: Date; endsAt: Date }, extra: Partial<NewBooking> = {}): NewBooking {
  const now = new Date();
  return {
    customerId, workshopId: w.workshopId, serviceId: w.serviceId, services: [{ serviceId: w.serviceId, name: 'Service 0', durationMinutes: 30, priceCents: 1000, options: {} }],
    slotIds: [slot.id], startsAt: slot.startsAt, endsAt: slot.endsAt,
    status: 'accepted', priceCents: 1000, currency: 'GBP', options: {}, vehicle: null, notes: null, idempotencyKey: null,
    holdId: randomUUID(), keyAt: now, keyReusableBefore: new Date(now.getTime() - DAY), acceptDeadline: null, createdAt: now,
    events: [{ type: 'requested', actorId: customerId, actorRole: 'customer' }, { type: 'accepted', actorId: null, actorRole: 'system', data: { autoAccept: true } }],
    ...extra,
  };
}

describe('confirm SQL (prepared statements on the hot pool)', () => {
  it('40 concurrent confirms of a 3-bay slot: exactly 3 bookings, the rest CAPACITY, booked = capacity', async () => {
    const w = await quickWorkshop(es, { bays: 3 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const customers = await quickAccounts(es.server, 40);
    const ids = { workshopId: w.workshop.id, serviceId: w.services[0]!.id };
    // Twice: the first round prepares the statements on fresh connections, the second reuses them.
    for (const round of [0, 1]) {
      const target = round === 0 ? slot! : (await dayOfSlots(es.server, w.workshop.id, Date.now(), 3))[0]!;
      const results = await Promise.all(customers.map((c) => createBooking(es.server.sql, booking(c.id, ids, target))));
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(Array(37).fill('CAPACITY'));
      expect((await pgSlots(es.server, [target.id])).get(target.id)).toEqual({ capacity: 3, booked: 3 });
      expect((await liveBookingsOn(es.server, [target.id])).get(target.id)).toBe(3);
    }
  });

  it('one Idempotency-Key sent 10 times at once makes one booking; the others read DUPLICATE_KEY and nothing else is written', async () => {
    const w = await quickWorkshop(es, { bays: 5 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const ids = { workshopId: w.workshop.id, serviceId: w.services[0]!.id };
    const key = `k-${randomUUID()}`;
    const holdId = randomUUID();
    const results = await Promise.all(Array.from({ length: 10 }, () => createBooking(es.server.sql, booking(c!.id, ids, slot!, { idempotencyKey: key, holdId, maxOpenPerCustomer: 5 }))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(Array(9).fill('DUPLICATE_KEY'));
    expect((await pgSlots(es.server, [slot!.id])).get(slot!.id)!.booked).toBe(1);
    const made = results.find((r) => r.ok)!;
    const replay = await es.server.services.stores.bookings.findByIdempotencyKey(c!.id, key, new Date(Date.now() - DAY));
    expect(replay?.booking.id).toBe(made.ok && made.booking.id);
    expect(replay?.holdId).toBe(holdId);
  });

  it('one customer confirming 6 slots at once with a limit of 2 open bookings gets exactly 2', async () => {
    const w = await quickWorkshop(es, { bays: 2 });
    const slots = (await dayOfSlots(es.server, w.workshop.id, Date.now())).slice(0, 6);
    const [c] = await quickAccounts(es.server, 1);
    const ids = { workshopId: w.workshop.id, serviceId: w.services[0]!.id };
    const results = await Promise.all(slots.map((s) => createBooking(es.server.sql, booking(c!.id, ids, s, { maxOpenPerCustomer: 2 }))));
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(Array(4).fill('LIMIT'));
    const pg = await pgSlots(es.server, slots.map((s) => s.id));
    expect([...pg.values()].reduce((n, s) => n + s.booked, 0)).toBe(2);
  });

  it('a throwing beforeCommit (the hold could not be consumed) rolls everything back, and the record it returns matches a read', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [s0, s1] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const ids = { workshopId: w.workshop.id, serviceId: w.services[0]!.id };
    const boom = new Error('not consumed');
    await expect(createBooking(es.server.sql, booking(c!.id, ids, s0!, { idempotencyKey: 'k1' }), async () => {
      throw boom;
    })).rejects.toBe(boom);
    expect((await pgSlots(es.server, [s0!.id])).get(s0!.id)!.booked).toBe(0);
    expect(await es.server.services.stores.bookings.findByIdempotencyKey(c!.id, 'k1', new Date(Date.now() - DAY))).toBeNull();

    const made = await createBooking(es.server.sql, booking(c!.id, ids, s1!, { idempotencyKey: 'k1', notes: 'it’s "quoted"', vehicle: { registration: 'AB12 CDE' } }));
    expect(made.ok).toBe(true);
    const read = await es.server.services.stores.bookings.findById(made.ok ? made.booking.id : '');
    expect(made.ok && made.booking).toEqual(read);
  });

  it('a booking built from cached rows (guard) is written only while they still hold; otherwise STALE and nothing is written', async () => {
    const w = await quickWorkshop(es, { bays: 2, autoAccept: false, acceptSlaMinutes: 45 });
    const [s0, s1] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const ids = { workshopId: w.workshop.id, serviceId: w.services[0]!.id };
    const guard = { autoAccept: false, acceptSlaMinutes: 45 };
    const exec = (text: string, values: unknown[]) => es.server.sql.rows(stmt(`t_guard_${text.length}`, text), values);
    const stale = async (b: NewBooking) => {
      expect(await createBooking(es.server.sql, b)).toEqual({ ok: false, reason: 'STALE' });
      expect((await pgSlots(es.server, [s0!.id])).get(s0!.id)!.booked).toBe(0);
      expect(await es.server.services.stores.bookings.findByIdempotencyKey(c!.id, 'g1', new Date(Date.now() - DAY))).toBeNull();
    };
    const on = (extra: Partial<NewBooking>) => booking(c!.id, ids, s0!, { idempotencyKey: 'g1', maxOpenPerCustomer: 5, guard, ...extra });
    // Settings, times or slots other than Postgres's: STALE, no unit taken, the key not kept.
    await stale(on({ guard: { ...guard, autoAccept: true } }));
    await stale(on({ guard: { ...guard, acceptSlaMinutes: 60 } }));
    await stale(on({ endsAt: s1!.endsAt }));
    await stale(on({ slotIds: [s0!.id, randomUUID()] }));
    await exec('update workshop set status = $2 where id = $1', [w.workshop.id, 'suspended']);
    await stale(on({}));
    await exec('update workshop set status = $2 where id = $1', [w.workshop.id, 'verified']);
    await exec('update service set active = false where id = $1', [ids.serviceId]);
    await stale(on({}));
    await exec('update service set active = true where id = $1', [ids.serviceId]);
    // Rows that still hold: written.
    const made = await createBooking(es.server.sql, on({}));
    expect(made.ok).toBe(true);
    expect((await pgSlots(es.server, [s0!.id])).get(s0!.id)!.booked).toBe(1);
  });
});
