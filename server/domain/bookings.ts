import type { BookingDetailView, BookingListQuery, BookingView, ConfirmBookingInput } from '@shared/schemas/booking';
import { priceFor } from '@shared/service-options';
import type { Principal } from './actor';
import type { BookingRecord, BookingStore, NewBooking, Publisher, VehicleInput } from './booking-ports';
import type { SlotStore, WorkshopStore } from './catalog-ports';
import type { Clock } from './clock';
import { DomainError, notFound } from './errors';
import type { HoldPort, HoldRecord } from './hold-ports';

export interface ConfirmRequest extends ConfirmBookingInput {
  idempotencyKey?: string;
}

/** Strips the authorization-only field. */
export const bookingView = ({ ownerId: _owner, ...view }: BookingRecord): BookingView => view;

/** May this person see this booking at all? (Others get NOT_FOUND: a booking's existence is private.) */
export function canSee(actor: Principal, b: BookingRecord): boolean {
  return actor.role === 'admin' || b.customerId === actor.id || (actor.role === 'vendor' && b.ownerId === actor.id);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Confirming holds into bookings, and reading them back. */
export function createBookings(deps: {
  bookings: BookingStore;
  holds: HoldPort;
  workshops: WorkshopStore;
  slots: SlotStore;
  clock: Clock;
  publisher: Publisher;
  /** Open (pending, accepted, in progress) bookings one customer may have; unlimited when absent. */
  maxOpenPerCustomer?: number;
}) {
  const { bookings, holds, publisher, maxOpenPerCustomer } = deps;

  const bookingLimit = () =>
    new DomainError('BOOKING_LIMIT', `You can have at most ${maxOpenPerCustomer} open bookings; wait for one to finish or cancel one first`, { max: maxOpenPerCustomer });

  /** The booking this key already made; the same key sent for another hold is a client bug, refused. */
  async function earlierFor(customerId: string, key: string, holdId: string): Promise<BookingRecord | null> {
    const found = await bookings.findByIdempotencyKey(customerId, key);
    if (!found) return null;
    if (found.holdId !== null && found.holdId !== holdId) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used to confirm a different hold; send a new key');
    }
    return found.booking;
  }

  /** A racing request with the same key may still be committing: give it a moment to land. */
  async function awaitIdempotent(customerId: string, key: string, holdId: string): Promise<BookingRecord | null> {
    for (let i = 0; i < 60; i++) {
      const found = await earlierFor(customerId, key, holdId);
      if (found) return found;
      await sleep(50);
    }
    return null;
  }

  /** Redis let a hold through that Postgres refused: put Redis back in line with Postgres. */
  async function resyncFromPostgres(hold: HoldRecord) {
    const rows = await deps.slots.byIds(hold.slotIds);
    const change = await holds.resync(hold.workshopId, rows.map((r) => ({ slotId: r.id, capacity: r.capacity, booked: r.booked })));
    publisher.slotsChanged(change, 'resync');
  }

  async function confirm(actor: Principal, req: ConfirmRequest): Promise<{ booking: BookingView; replayed: boolean }> {
    if (actor.role !== 'customer') throw new DomainError('FORBIDDEN', 'Only customer accounts can book');
    const key = req.idempotencyKey ?? null;
    if (key) {
      const earlier = await earlierFor(actor.id, key, req.holdId);
      if (earlier) return { booking: bookingView(earlier), replayed: true };
    }

    const held = await holds.findHold(req.holdId);
    if (!held || held.customerId !== actor.id) {
      const raced = key ? await awaitIdempotent(actor.id, key, req.holdId) : null;
      if (raced) return { booking: bookingView(raced), replayed: true };
      throw held ? notFound('Hold') : new DomainError('HOLD_EXPIRED', 'This hold has expired or was already used; hold the slot again');
    }
    const workshop = await deps.workshops.findById(held.workshopId);
    const service = await deps.workshops.findService(held.serviceId);
    if (!workshop || workshop.status !== 'verified' || !service) throw new DomainError('WORKSHOP_NOT_BOOKABLE', 'This workshop is not taking bookings right now');
    const price = priceFor(service.basePriceCents, service.options, held.options);
    if (!price.ok) throw new DomainError('VALIDATION_FAILED', price.reason);
    // Checked before the hold is consumed, so a refused customer keeps the hold; create re-checks under a lock.
    if (maxOpenPerCustomer !== undefined && (await bookings.countOpen(actor.id)) >= maxOpenPerCustomer) throw bookingLimit();
    const slots = await deps.slots.byIds(held.slotIds);
    if (slots.length !== held.slotIds.length) {
      // The vendor's schedule changed under the hold (a closed day, new hours): let it go now
      // rather than at its TTL, so it stops counting against the customer's hold limit.
      const released = await holds.release(held.id, actor.id);
      if (released.ok) publisher.slotsChanged(released.change, 'released');
      throw new DomainError('SLOT_WITHDRAWN', 'The workshop changed its hours and this time is no longer offered; pick another');
    }

    const consumed = await holds.consume(req.holdId, actor.id);
    if (!consumed.ok) {
      if (consumed.code === 'HOLD_EXPIRED') {
        publisher.slotsChanged(consumed.change, 'expired');
        throw new DomainError('HOLD_EXPIRED', 'This hold expired before you confirmed; hold the slot again');
      }
      const raced = key ? await awaitIdempotent(actor.id, key, req.holdId) : null;
      if (raced) return { booking: bookingView(raced), replayed: true };
      throw new DomainError('HOLD_EXPIRED', 'This hold has expired or was already used; hold the slot again');
    }
    publisher.slotsChanged(consumed.change, 'booked');

    const now = new Date(deps.clock.now());
    const status = workshop.autoAccept ? 'accepted' : 'pending';
    const events: NewBooking['events'] = [{ type: 'requested', actorId: actor.id, actorRole: 'customer', data: { holdId: held.id } }];
    if (workshop.autoAccept) events.push({ type: 'accepted', actorId: null, actorRole: 'system', data: { autoAccept: true } });
    const result = await bookings.create({
      customerId: actor.id,
      workshopId: workshop.id,
      serviceId: service.id,
      slotIds: slots.map((s) => s.id),
      startsAt: slots[0]!.startsAt,
      endsAt: slots[slots.length - 1]!.endsAt,
      status,
      priceCents: price.priceCents,
      currency: service.currency,
      options: held.options,
      vehicle: (req.vehicle as VehicleInput | undefined) ?? null,
      notes: req.notes ?? null,
      idempotencyKey: key,
      maxOpenPerCustomer,
      acceptDeadline: workshop.autoAccept ? null : new Date(now.getTime() + workshop.acceptSlaMinutes * 60_000),
      createdAt: now,
      events,
    }).catch(async (err: unknown) => {
      // Unknown outcome (the commit may or may not have landed) after the hold was consumed:
      // Postgres decides what Redis shows, or the unit would stay "booked" in Redis for good.
      await resyncFromPostgres(held).catch(() => undefined);
      throw err;
    });

    if (!result.ok) {
      publisher.slotsChanged(await holds.unconsume(workshop.id, held.slotIds), 'booking_returned');
      if (result.reason === 'LIMIT') throw bookingLimit();
      if (result.reason === 'DUPLICATE_KEY' && key) {
        const raced = await awaitIdempotent(actor.id, key, req.holdId);
        if (raced) return { booking: bookingView(raced), replayed: true };
      }
      await resyncFromPostgres(held);
      throw new DomainError('SLOT_UNAVAILABLE', 'That slot was just fully booked; pick another');
    }
    const booking = bookingView(result.booking);
    publisher.bookingChanged(booking, { type: 'requested', at: now.toISOString(), actorRole: 'customer' });
    return { booking, replayed: false };
  }

  return {
    confirm,

    async get(actor: Principal, id: string): Promise<BookingDetailView> {
      const b = await bookings.findById(id);
      if (!b || !canSee(actor, b)) throw notFound('Booking');
      return { ...bookingView(b), events: await bookings.events(id) };
    },

    /** Mine (customer), my workshops' (vendor) or everyone's (admin). */
    async list(actor: Principal, q: BookingListQuery): Promise<BookingView[]> {
      const filter = {
        status: q.status,
        workshopId: q.workshopId,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
      };
      if (actor.role === 'customer') return bookings.list({ ...filter, customerId: actor.id });
      if (actor.role === 'vendor') return bookings.list({ ...filter, ownerId: actor.id });
      return bookings.list(filter);
    },
  };
}

export type Bookings = ReturnType<typeof createBookings>;
