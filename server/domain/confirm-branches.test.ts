import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal } from './actor';
import { DomainError } from './errors';
import { fakeBookingDomain, type FakeBookingDomain } from './testing';

/*
 * Every way a confirm (and a reschedule, which shares hold-commit.ts) can fail, run against
 * in-memory fakes of the ports: no Postgres, no Redis, a manual clock. The integration tests
 * prove the real stores keep the same contract; these prove what the domain does with each answer.
 */

const DAY = 86_400_000;
const customer = (): Principal => ({ id: randomUUID(), role: 'customer' });

/** A verified workshop, `n` slots of `capacity` two days ahead, and a live hold on the first `span` of them. */
async function arrange(d: FakeBookingDomain, opts: { capacity?: number; n?: number; span?: number; who?: Principal } = {}) {
  const { workshop, service } = d.workshops.add();
  const slots = d.slots.add(workshop.id, new Date(d.clock.now() + 2 * DAY), opts.n ?? 3, opts.capacity ?? 2);
  const who = opts.who ?? customer();
  const hold = await holdOn(d, workshop.id, service.id, who, slots.slice(0, opts.span ?? 1).map((s) => s.id));
  return { workshop, service, slots, who, hold };
}

async function holdOn(d: FakeBookingDomain, workshopId: string, serviceId: string, who: Principal, slotIds: string[]) {
  const seeds = (await d.slots.byIds(slotIds)).map((s) => ({ slotId: s.id, capacity: s.capacity, booked: s.booked }));
  const r = await d.holds.hold({ workshopId, serviceId, customerId: who.id, slots: seeds, ttlMs: 120_000, maxActivePerCustomer: 5, quote: { priceCents: 4999, currency: 'GBP' } });
  if (!r.ok) throw new Error(`arrange: hold refused ${r.code}`);
  d.publisher.clear();
  return r.hold;
}

/** Runs `fn` once, at the start of the next write transaction (another request acting in between). */
function onceBeforeWrite(d: FakeBookingDomain, fn: () => Promise<unknown> | void) {
  d.bookings.hooks.beforeWrite = async () => {
    d.bookings.hooks.beforeWrite = undefined;
    await fn();
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  throw new Error('expected a DomainError, got a result');
}

const counts = (d: FakeBookingDomain, workshopId: string, slotId: string) => {
  const [c] = d.holds.countsOf(workshopId, [slotId]);
  return { capacity: c!.capacity, booked: c!.booked, held: c!.held };
};

describe('confirm against in-memory ports', () => {
  it('a live hold becomes a booking: its unit moves held → booked in Redis and is taken in Postgres; booked, then requested, published', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d);
    const { booking, replayed } = await d.confirms.confirm(who, { holdId: hold.id });
    expect(replayed).toBe(false);
    expect(booking).toMatchObject({ status: 'pending', slotIds: [slots[0]!.id], priceCents: 4999 });
    expect(d.slots.get(slots[0]!.id).booked).toBe(1);
    expect(counts(d, workshop.id, slots[0]!.id)).toEqual({ capacity: 2, booked: 1, held: 0 });
    expect(await d.holds.findHold(hold.id)).toBeNull();
    expect(d.publisher.sent.map((e) => (e.kind === 'slots' ? e.cause : e.kind))).toEqual(['booked', 'booking']);
  });

  it('hold expired (the clock passed its TTL, no sweep yet): HOLD_EXPIRED; consume gives the unit back and publishes expired; nothing booked', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d);
    d.clock.advance(121_000);
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('HOLD_EXPIRED');
    expect(d.slots.get(slots[0]!.id).booked).toBe(0);
    expect(counts(d, workshop.id, slots[0]!.id)).toEqual({ capacity: 2, booked: 0, held: 0 });
    expect(d.publisher.causes()).toEqual(['expired']);
  });

  it('hold already used or swept: HOLD_EXPIRED; someone else\'s hold: NOT_FOUND', async () => {
    const d = fakeBookingDomain();
    const { who, hold } = await arrange(d);
    expect(await codeOf(d.confirms.confirm(customer(), { holdId: hold.id }))).toBe('NOT_FOUND');
    await d.confirms.confirm(who, { holdId: hold.id });
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('HOLD_EXPIRED');
  });

  it('capacity refused (Redis let through a unit Postgres has not got): SLOT_UNAVAILABLE, the hold let go, Redis put back in line with Postgres', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d, { capacity: 2 });
    d.slots.rows.get(slots[0]!.id)!.booked = 2; // Postgres: full; Redis still counts one free unit, now held
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('SLOT_UNAVAILABLE');
    expect(d.bookings.refusals).toEqual(['CAPACITY']);
    expect(await d.holds.findHold(hold.id)).toBeNull();
    expect(counts(d, workshop.id, slots[0]!.id)).toEqual({ capacity: 2, booked: 2, held: 0 });
    expect(d.publisher.causes()).toEqual(['released', 'resync']);
  });

  it('capacity refused because a twin request (no key) consumed this hold and took the last unit: HOLD_EXPIRED, Redis left alone', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d, { capacity: 1 });
    onceBeforeWrite(d, async () => {
      expect((await d.holds.consume(hold.id, who.id)).ok).toBe(true);
      d.slots.rows.get(slots[0]!.id)!.booked = 1;
    });
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('HOLD_EXPIRED');
    expect(d.bookings.refusals).toEqual(['CAPACITY']);
    expect(counts(d, workshop.id, slots[0]!.id)).toEqual({ capacity: 1, booked: 1, held: 0 });
    expect(d.publisher.causes()).toEqual([]);
  });

  it('duplicate key: a twin with the same Idempotency-Key committed first; this request answers with its booking, replayed', async () => {
    const d = fakeBookingDomain();
    const { slots, who, hold } = await arrange(d);
    let twin: { booking: { id: string } } | undefined;
    onceBeforeWrite(d, async () => {
      twin = await d.confirms.confirm(who, { holdId: hold.id, idempotencyKey: 'key-1' });
    });
    const r = await d.confirms.confirm(who, { holdId: hold.id, idempotencyKey: 'key-1' });
    expect(d.bookings.refusals).toEqual(['DUPLICATE_KEY']);
    expect(r.replayed).toBe(true);
    expect(r.booking.id).toBe(twin!.booking.id);
    expect(d.slots.get(slots[0]!.id).booked).toBe(1);
    expect(await d.bookings.countOpen(who.id)).toBe(1);
  });

  it('the same Idempotency-Key sent for another hold: IDEMPOTENCY_KEY_REUSED, and that hold is kept', async () => {
    const d = fakeBookingDomain();
    const { workshop, service, slots, who, hold } = await arrange(d);
    await d.confirms.confirm(who, { holdId: hold.id, idempotencyKey: 'key-2' });
    const other = await holdOn(d, workshop.id, service.id, who, [slots[1]!.id]);
    expect(await codeOf(d.confirms.confirm(who, { holdId: other.id, idempotencyKey: 'key-2' }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await d.holds.findHold(other.id)).not.toBeNull();
  });

  it('open-booking limit, before the commit and inside it (a racing confirm got there first): BOOKING_LIMIT, the hold kept', async () => {
    const d = fakeBookingDomain({ maxOpenPerCustomer: 1 });
    const { workshop, service, slots, who, hold } = await arrange(d);
    const racer = await holdOn(d, workshop.id, service.id, who, [slots[1]!.id]);
    onceBeforeWrite(d, () => d.confirms.confirm(who, { holdId: racer.id }));
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('BOOKING_LIMIT');
    expect(d.bookings.refusals).toEqual(['LIMIT']);
    expect(await d.holds.findHold(hold.id)).not.toBeNull();
    // Now the check before the commit refuses it outright.
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('BOOKING_LIMIT');
    expect(d.bookings.refusals).toEqual(['LIMIT']);
    expect(await d.holds.findHold(hold.id)).not.toBeNull();
  });

  it('unknown outcome: COMMIT fails after the hold was consumed; the error goes up and Redis follows Postgres (resync), nothing booked', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d);
    const lost = new Error('connection lost during COMMIT');
    d.bookings.hooks.commitError = lost;
    await expect(d.confirms.confirm(who, { holdId: hold.id })).rejects.toBe(lost);
    expect(d.slots.get(slots[0]!.id).booked).toBe(0);
    expect(await d.holds.findHold(hold.id)).toBeNull();
    expect(counts(d, workshop.id, slots[0]!.id)).toEqual({ capacity: 2, booked: 0, held: 0 });
    expect(d.publisher.causes()).toEqual(['booked', 'resync']);
  });

  it('service retired after the hold: SERVICE_RETIRED and the hold let go at once', async () => {
    const d = fakeBookingDomain();
    const { workshop, service, slots, who, hold } = await arrange(d);
    d.workshops.setService(service.id, { active: false });
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('SERVICE_RETIRED');
    expect(await d.holds.findHold(hold.id)).toBeNull();
    expect(counts(d, workshop.id, slots[0]!.id)).toEqual({ capacity: 2, booked: 0, held: 0 });
    expect(d.publisher.causes()).toEqual(['released']);
  });

  it('slot withdrawn (the schedule dropped it under the hold): SLOT_WITHDRAWN and the hold let go at once', async () => {
    const d = fakeBookingDomain();
    const { slots, who, hold } = await arrange(d, { span: 2 });
    d.slots.remove(slots[1]!.id);
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('SLOT_WITHDRAWN');
    expect(await d.holds.findHold(hold.id)).toBeNull();
    expect(d.slots.get(slots[0]!.id).booked).toBe(0);
    expect(d.publisher.causes()).toEqual(['released']);
  });

  it('workshop suspended after the hold: WORKSHOP_NOT_BOOKABLE, the hold kept, nothing booked', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d);
    d.workshops.setWorkshop(workshop.id, { status: 'suspended' });
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('WORKSHOP_NOT_BOOKABLE');
    expect(await d.holds.findHold(hold.id)).not.toBeNull();
    expect(d.slots.get(slots[0]!.id).booked).toBe(0);
  });
});

describe('reschedule against in-memory ports (the same commit path)', () => {
  async function booked(d: FakeBookingDomain) {
    const a = await arrange(d);
    const { booking } = await d.confirms.confirm(a.who, { holdId: a.hold.id });
    const next = await holdOn(d, a.workshop.id, a.service.id, a.who, [a.slots[2]!.id]);
    return { ...a, booking, next };
  }

  it('moves the booking: the new unit taken, the old one given back, in Postgres and Redis', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, booking, next } = await booked(d);
    const moved = await d.transitions.reschedule(who, booking.id, next.id);
    expect(moved.slotIds).toEqual([slots[2]!.id]);
    expect([d.slots.get(slots[0]!.id).booked, d.slots.get(slots[2]!.id).booked]).toEqual([0, 1]);
    expect([counts(d, workshop.id, slots[0]!.id), counts(d, workshop.id, slots[2]!.id)]).toEqual([
      { capacity: 2, booked: 0, held: 0 },
      { capacity: 2, booked: 1, held: 0 },
    ]);
  });

  it('version conflict (the vendor acted during the move): VERSION_CONFLICT, the booking untouched, the new hold kept for a retry', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, booking, next } = await booked(d);
    onceBeforeWrite(d, () => d.bookings.touch(booking.id));
    expect(await codeOf(d.transitions.reschedule(who, booking.id, next.id))).toBe('VERSION_CONFLICT');
    expect(d.bookings.refusals).toEqual(['VERSION']);
    expect((await d.bookings.findById(booking.id))!.slotIds).toEqual([slots[0]!.id]);
    expect(await d.holds.findHold(next.id)).not.toBeNull();
    expect(counts(d, workshop.id, slots[2]!.id)).toEqual({ capacity: 2, booked: 0, held: 1 });
  });

  it('the new hold expired: HOLD_EXPIRED, expired published, the booking where it was', async () => {
    const d = fakeBookingDomain();
    const { slots, who, booking, next } = await booked(d);
    d.clock.advance(121_000);
    d.publisher.clear();
    expect(await codeOf(d.transitions.reschedule(who, booking.id, next.id))).toBe('HOLD_EXPIRED');
    expect(d.publisher.causes()).toEqual(['expired']);
    expect((await d.bookings.findById(booking.id))!.slotIds).toEqual([slots[0]!.id]);
  });

  it('capacity refused on the new slot: SLOT_UNAVAILABLE, the hold let go, Redis resynced, the booking where it was', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, booking, next } = await booked(d);
    d.slots.rows.get(slots[2]!.id)!.booked = 2;
    d.publisher.clear();
    expect(await codeOf(d.transitions.reschedule(who, booking.id, next.id))).toBe('SLOT_UNAVAILABLE');
    expect(await d.holds.findHold(next.id)).toBeNull();
    expect(counts(d, workshop.id, slots[2]!.id)).toEqual({ capacity: 2, booked: 2, held: 0 });
    expect(d.publisher.causes()).toEqual(['released', 'resync']);
    expect((await d.bookings.findById(booking.id))!.slotIds).toEqual([slots[0]!.id]);
  });

  it('unknown outcome: COMMIT fails after the consume; Redis follows Postgres for both the old and the new slots', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, booking, next } = await booked(d);
    d.bookings.hooks.commitError = new Error('connection lost during COMMIT');
    d.publisher.clear();
    await expect(d.transitions.reschedule(who, booking.id, next.id)).rejects.toThrow('connection lost during COMMIT');
    expect([counts(d, workshop.id, slots[0]!.id), counts(d, workshop.id, slots[2]!.id)]).toEqual([
      { capacity: 2, booked: 1, held: 0 },
      { capacity: 2, booked: 0, held: 0 },
    ]);
    expect(d.publisher.causes()).toEqual(['booked', 'resync']);
  });
});

describe('confirm from the hold catalog\'s rows (no read; Postgres checks them as it books)', () => {
  /** Counts the fresh reads of the slow path (the context's slot read). */
  const reads = (d: FakeBookingDomain) => {
    const n = { slots: 0 };
    const byIds = d.slots.byIds;
    d.slots.byIds = (ids) => (n.slots++, byIds(ids));
    return n;
  };

  it('rows still current: booked without a read, as from a read (status, deadline, events, units)', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d);
    await d.remember(hold);
    const n = reads(d);
    const { booking } = await d.confirms.confirm(who, { holdId: hold.id, idempotencyKey: 'k' });
    expect(n.slots).toBe(0);
    expect(d.bookings.refusals).toEqual([]);
    expect(booking).toMatchObject({ status: 'pending', slotIds: [slots[0]!.id], priceCents: 4999 });
    expect(booking.acceptDeadline).toBe(new Date(d.clock.now() + workshop.acceptSlaMinutes * 60_000).toISOString());
    expect(d.slots.get(slots[0]!.id).booked).toBe(1);
    expect(await d.holds.findHold(hold.id)).toBeNull();
    // The key replays it, as any key does.
    expect((await d.confirms.confirm(who, { holdId: hold.id, idempotencyKey: 'k' })).replayed).toBe(true);
  });

  it('auto-accept switched on since the rows were cached: STALE (nothing written), then booked from a read as accepted', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d);
    await d.remember(hold);
    d.workshops.setWorkshop(workshop.id, { autoAccept: true });
    const n = reads(d);
    const { booking } = await d.confirms.confirm(who, { holdId: hold.id });
    expect(d.bookings.refusals).toEqual(['STALE']);
    expect(n.slots).toBe(1);
    expect(booking).toMatchObject({ status: 'accepted', acceptDeadline: null });
    expect(d.slots.get(slots[0]!.id).booked).toBe(1);
  });

  it('workshop suspended since: STALE, then WORKSHOP_NOT_BOOKABLE from the read; the hold kept, nothing taken', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d);
    await d.remember(hold);
    d.workshops.setWorkshop(workshop.id, { status: 'suspended' });
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('WORKSHOP_NOT_BOOKABLE');
    expect(d.bookings.refusals).toEqual(['STALE']);
    expect(d.slots.get(slots[0]!.id).booked).toBe(0);
    expect(await d.holds.findHold(hold.id)).not.toBeNull();
  });

  it('service retired since: STALE, then SERVICE_RETIRED and the hold let go', async () => {
    const d = fakeBookingDomain();
    const { service, who, hold } = await arrange(d);
    await d.remember(hold);
    d.workshops.setService(service.id, { active: false });
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('SERVICE_RETIRED');
    expect(d.bookings.refusals).toEqual(['STALE']);
    expect(await d.holds.findHold(hold.id)).toBeNull();
  });

  it('a held slot dropped from the schedule since: STALE, then SLOT_WITHDRAWN and the hold let go', async () => {
    const d = fakeBookingDomain();
    const { slots, who, hold } = await arrange(d, { span: 2 });
    await d.remember(hold);
    d.slots.remove(slots[1]!.id);
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('SLOT_WITHDRAWN');
    expect(d.bookings.refusals).toEqual(['STALE']);
    expect(d.slots.get(slots[0]!.id).booked).toBe(0);
    expect(await d.holds.findHold(hold.id)).toBeNull();
  });

  it('rows cached as not bookable (suspended then) are not trusted: read, and booked', async () => {
    const d = fakeBookingDomain();
    const { workshop, who, hold } = await arrange(d);
    d.workshops.setWorkshop(workshop.id, { status: 'suspended' });
    await d.remember(hold);
    d.workshops.setWorkshop(workshop.id, { status: 'verified' });
    const n = reads(d);
    await d.confirms.confirm(who, { holdId: hold.id });
    expect(n.slots).toBe(1);
    expect(d.bookings.refusals).toEqual([]);
  });

  it('open-booking limit with no read before the write: BOOKING_LIMIT from the write (under its lock), the hold kept', async () => {
    const d = fakeBookingDomain({ maxOpenPerCustomer: 1 });
    const { workshop, service, slots, who, hold } = await arrange(d);
    await d.confirms.confirm(who, { holdId: hold.id });
    const second = await holdOn(d, workshop.id, service.id, who, [slots[1]!.id]);
    await d.remember(second);
    expect(await codeOf(d.confirms.confirm(who, { holdId: second.id }))).toBe('BOOKING_LIMIT');
    expect(d.bookings.refusals).toEqual(['LIMIT']);
    expect(await d.holds.findHold(second.id)).not.toBeNull();
  });

  it('a key already used for another hold: IDEMPOTENCY_KEY_REUSED from the key reservation, that hold kept', async () => {
    const d = fakeBookingDomain();
    const { workshop, service, slots, who, hold } = await arrange(d);
    await d.confirms.confirm(who, { holdId: hold.id, idempotencyKey: 'key-3' });
    const other = await holdOn(d, workshop.id, service.id, who, [slots[1]!.id]);
    await d.remember(other);
    expect(await codeOf(d.confirms.confirm(who, { holdId: other.id, idempotencyKey: 'key-3' }))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(d.bookings.refusals).toEqual(['DUPLICATE_KEY']);
    expect(await d.holds.findHold(other.id)).not.toBeNull();
  });

  it('capacity refused (Redis let through a unit Postgres has not got): SLOT_UNAVAILABLE, as from a read', async () => {
    const d = fakeBookingDomain();
    const { workshop, slots, who, hold } = await arrange(d, { capacity: 2 });
    await d.remember(hold);
    d.slots.rows.get(slots[0]!.id)!.booked = 2;
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id }))).toBe('SLOT_UNAVAILABLE');
    expect(d.bookings.refusals).toEqual(['CAPACITY']);
    expect(counts(d, workshop.id, slots[0]!.id)).toEqual({ capacity: 2, booked: 2, held: 0 });
  });
});

describe('confirm with a vehicle the service does not take', () => {
  it('refuses VEHICLE_NOT_SUPPORTED before anything is written: the hold stays held, nothing is booked or published', async () => {
    const d = fakeBookingDomain();
    const { workshop, service, slots, who, hold } = await arrange(d);
    d.workshops.setService(service.id, { vehicleConstraints: { fuels: ['electric'] } });
    const refused = d.confirms.confirm(who, { holdId: hold.id, vehicle: { registration: 'AB12 CDE', fuel: 'diesel' } });
    await expect(refused).rejects.toMatchObject({ code: 'VEHICLE_NOT_SUPPORTED', details: { reason: 'fuel' } });
    expect(counts(d, workshop.id, slots[0]!.id)).toEqual({ capacity: 2, booked: 0, held: 1 });
    expect(d.publisher.sent).toEqual([]);
    // The same hold books with a vehicle that fits, or one that does not state its fuel.
    const { booking } = await d.confirms.confirm(who, { holdId: hold.id, vehicle: { registration: 'AB12 CDE' } });
    expect(booking.vehicle).toEqual({ registration: 'AB12 CDE' });
  });

  it('a vehicleId needs the garage port: without it the confirm is refused, not booked without the vehicle', async () => {
    const d = fakeBookingDomain();
    const { who, hold } = await arrange(d);
    expect(await codeOf(d.confirms.confirm(who, { holdId: hold.id, vehicleId: randomUUID() }))).toBe('VALIDATION_FAILED');
  });
});
