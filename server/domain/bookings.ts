import { intentsFor } from './notifications';
import type { BookingDetailView, BookingListQuery, BookingView, ConfirmBookingInput } from '@shared/schemas/booking';
import { priceFor } from '@shared/service-options';
import type { Principal } from './actor';
import type { BookingRecord, BookingStore, ConfirmContext, KnownRows, NewBooking, Publisher, VehicleInput } from './booking-ports';
import type { SlotStore, WorkshopStore } from './catalog-ports';
import type { Clock } from './clock';
import { DomainError, forbidden, notFound } from './errors';
import { permits, ROLE_LABEL, type Permission, type StaffRole } from '@shared/schemas/staff';
import { serviceIdsOf, type HoldRecord } from './hold-ports';
import type { ServiceView } from '@shared/schemas/views';
import { commitWithHold, giveBackRefused, type FaultHook } from './hold-commit';
import type { LiveCounts } from './live-counts';
import type { ConfirmPayments, PreparedPayment } from './money/confirm-payment';
import type { BookingPayment } from './money/booking-payment-ports';
import { receiptOf } from './money/receipt';
import { vehicleRefusal } from './vehicle-constraints';

export interface ConfirmRequest extends ConfirmBookingInput {
  idempotencyKey?: string;
}

/** Strips the authorization-only fields. */
export const bookingView = ({ ownerId: _owner, staff: _staff, ...view }: BookingRecord): BookingView => view;

/** The actor's role in the booking's workshop (null: they do not work there). */
export const staffRoleIn = (actor: Principal, b: BookingRecord): StaffRole | null => (actor.role === 'vendor' ? (b.staff[actor.id] ?? null) : null);

/**
 * May this person see this booking at all? Its customer, admins, and everyone working in its
 * workshop (every role has desk.view). Others get NOT_FOUND: a booking's existence is private.
 */
export function canSee(actor: Principal, b: BookingRecord): boolean {
  return actor.role === 'admin' || b.customerId === actor.id || permits(staffRoleIn(actor, b), 'desk.view');
}

/** A workshop-side action on a booking its actor can see: the actor's role must have `permission`. */
export function requireStaffPermission(actor: Principal, b: BookingRecord, permission: Permission): void {
  if (actor.role !== 'vendor') return;
  const role = staffRoleIn(actor, b);
  if (!permits(role, permission)) throw forbidden(`As ${ROLE_LABEL[role ?? 'mechanic'].toLowerCase()} you may not do that here (${permission})`);
}

/** How long an Idempotency-Key replays its booking; after that the key may be used again. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60_000;

/** Confirming holds into bookings, and reading them back. */
export function createBookings(deps: {
  bookings: BookingStore;
  live: LiveCounts;
  workshops: WorkshopStore;
  slots: SlotStore;
  clock: Clock;
  publisher: Pick<Publisher, 'bookingChanged'>;
  /** Open (pending, accepted, in progress) bookings one customer may have; unlimited when absent. */
  maxOpenPerCustomer?: number;
  /** A hold's rows as a cache has them (holds.known), for a confirm without a read; absent: always read. */
  known?: (held: HoldRecord) => KnownRows | null;
  faults?: FaultHook;
  /** Money at confirm (money/confirm-payment.ts): the payment row, and the card authorized first. Absent: bookings carry no payment row. */
  payments?: ConfirmPayments;
  /** A garage vehicle's copy for a booking (`vehicleId` at confirm); NOT_FOUND for another customer's. Absent: vehicleId is refused. */
  vehicleCopy?: (customerId: string, vehicleId: string) => Promise<VehicleInput>;
  /** The booking's payment row, for its receipt; absent: no receipt. */
  paymentOf?: (bookingId: string) => Promise<BookingPayment | null>;
}) {
  const { bookings, live, publisher, maxOpenPerCustomer } = deps;
  const keyCutoff = () => new Date(deps.clock.now() - IDEMPOTENCY_KEY_TTL_MS);

  const bookingLimit = () =>
    new DomainError('BOOKING_LIMIT', `You can have at most ${maxOpenPerCustomer} open bookings; wait for one to finish or cancel one first`, { max: maxOpenPerCustomer });

  /** The booking this key already made (within 24 h); the same key sent for another hold is a client bug, refused. */
  async function earlierFor(customerId: string, key: string, holdId: string, awaitRacer = false): Promise<BookingRecord | null> {
    return replayOf(await bookings.findByIdempotencyKey(customerId, key, keyCutoff(), { awaitRacer }), holdId);
  }

  async function vehicleFor(actor: Principal, req: ConfirmRequest): Promise<VehicleInput | null> {
    if (req.vehicleId) {
      if (!deps.vehicleCopy) throw new DomainError('VALIDATION_FAILED', 'Saved vehicles are not available here; send the vehicle instead');
      return deps.vehicleCopy(actor.id, req.vehicleId);
    }
    return (req.vehicle as VehicleInput | undefined) ?? null;
  }

  /** The booking's service lines: each service of the visit with its quoted price (one service: the whole price). */
  function visitLines(held: HoldRecord, services: ServiceView[], priceCents: number): NewBooking['services'] {
    const quoted = new Map((held.services ?? []).map((x) => [x.serviceId, x]));
    return services.map((s, i) => ({
      serviceId: s.id,
      name: s.name,
      durationMinutes: quoted.get(s.id)?.durationMinutes ?? s.durationMinutes,
      priceCents: quoted.get(s.id)?.priceCents ?? (services.length === 1 ? priceCents : 0),
      options: quoted.get(s.id)?.options ?? (i === 0 ? held.options : {}),
    }));
  }

  /** Gives a hold's units back now (it can no longer be confirmed) and tells watchers. */
  async function letGo(held: HoldRecord, customerId: string) {
    await live.release(held.id, customerId);
  }

  /** The key's earlier booking, unless the key was used for another hold (a client bug, refused). */
  function replayOf(found: { booking: BookingRecord; holdId: string | null } | null, holdId: string): BookingRecord | null {
    if (!found) return null;
    if (found.holdId !== null && found.holdId !== holdId) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used to confirm a different hold; send a new key');
    }
    return found.booking;
  }

  /** Workshop, service, slots, open count and the key's earlier booking: one read when the store offers it. */
  async function contextOf(customerId: string, held: HoldRecord, key: string | null): Promise<ConfirmContext> {
    const q = {
      customerId, workshopId: held.workshopId, serviceIds: serviceIdsOf(held), slotIds: held.slotIds,
      key, keyNotBefore: keyCutoff(), countOpen: maxOpenPerCustomer !== undefined,
    };
    if (bookings.confirmContext) return bookings.confirmContext(q);
    const [workshop, found, slots, open, earlier] = await Promise.all([
      deps.workshops.findById(q.workshopId),
      Promise.all(q.serviceIds.map((id) => deps.workshops.findService(id))),
      deps.slots.byIds(q.slotIds),
      q.countOpen ? bookings.countOpen(customerId) : 0,
      key ? bookings.findByIdempotencyKey(customerId, key, q.keyNotBefore) : null,
    ]);
    const services = found.filter((x): x is NonNullable<typeof x> => x !== null);
    return { workshop, services: services.length === q.serviceIds.length ? services : [], slots, open, earlier };
  }

  async function confirm(actor: Principal, req: ConfirmRequest): Promise<{ booking: BookingView; replayed: boolean }> {
    if (actor.role !== 'customer') throw new DomainError('FORBIDDEN', 'Only customer accounts can book');
    const key = req.idempotencyKey ?? null;
    const held = await live.findHold(req.holdId);
    if (!held || held.customerId !== actor.id) {
      if (key) {
        // One look-up, no polling. A hold that is gone may have been consumed by a twin with this key
        // that is committing right now: Postgres then makes us wait for that one transaction on the
        // key's row (the key is reserved in the booking's own transaction, see DUPLICATE_KEY below).
        const earlier = await earlierFor(actor.id, key, req.holdId, !held);
        if (earlier) return { booking: bookingView(earlier), replayed: true };
      }
      throw held ? notFound('Hold') : new DomainError('HOLD_EXPIRED', 'This hold has expired or was already used; hold the slot again');
    }
    // The vehicle the booking will carry: typed, or a copy of one from the customer's garage.
    const vehicle = await vehicleFor(actor, req);
    // The common case costs no read: the hold catalog's rows, which Postgres checks as it books
    // (guard; a STALE answer wrote nothing, and the confirm goes on below from a fresh read).
    // Only rows that would book are used this way: every refusal below is decided on a read.
    const known = deps.known?.(held) ?? null;
    if (known && held.quote && known.workshop.status === 'verified' && known.services.every((x) => x.active) && known.slots.length === held.slotIds.length) {
      const booked = await book(actor, req, held, known, held.quote, true, vehicle);
      if (booked !== 'STALE') return booked;
    }
    // Everything the checks below need, read at once (the key's earlier booking included).
    const ctx = await contextOf(actor.id, held, key);
    const earlier = replayOf(ctx.earlier, req.holdId);
    if (earlier) return { booking: bookingView(earlier), replayed: true };
    const { workshop, services } = ctx;
    if (!workshop || workshop.status !== 'verified' || services.length === 0) throw new DomainError('WORKSHOP_NOT_BOOKABLE', 'This workshop is not taking bookings right now');
    const retired = services.find((x) => !x.active);
    if (retired) {
      // Retired after the hold was taken: the hold can never become a booking, so its units go back now.
      await letGo(held, actor.id);
      throw new DomainError('SERVICE_RETIRED', `The workshop stopped offering ${services.length > 1 ? retired.name : 'this service'} after you held the slot; pick another service`);
    }
    // The price quoted when the hold was taken; today's price only for a hold stored without one.
    const price = held.quote ? { ok: true as const, ...held.quote } : { ...priceFor(services[0]!.basePriceCents, services[0]!.options, held.options), currency: services[0]!.currency };
    if (!price.ok) throw new DomainError('VALIDATION_FAILED', price.reason);
    // Checked before the hold is consumed, so a refused customer keeps the hold; create re-checks under a lock.
    if (maxOpenPerCustomer !== undefined && ctx.open >= maxOpenPerCustomer) throw bookingLimit();
    if (ctx.slots.length !== held.slotIds.length) {
      // The vendor's schedule changed under the hold (a closed day, new hours): let it go now
      // rather than at its TTL, so it stops counting against the customer's hold limit.
      await letGo(held, actor.id);
      throw new DomainError('SLOT_WITHDRAWN', 'The workshop changed its hours and this time is no longer offered; pick another');
    }
    const booked = await book(actor, req, held, { workshop, service: services[0]!, services, slots: ctx.slots }, price, false, vehicle);
    if (booked === 'STALE') throw new Error('the booking store answered STALE to a booking without a guard');
    return booked;
  }

  /** Writes the booking and consumes the hold (hold-commit.ts), then answers every refusal of the store. */
  async function book(
    actor: Principal,
    req: ConfirmRequest,
    held: HoldRecord,
    { workshop, service, services, slots }: KnownRows,
    price: { priceCents: number; currency: string },
    guarded: boolean,
    vehicle: VehicleInput | null,
  ): Promise<{ booking: BookingView; replayed: boolean } | 'STALE'> {
    const key = req.idempotencyKey ?? null;
    // Refused before anything is written or authorized: the customer keeps the hold and may pick
    // another vehicle. Every service of a visit must take it.
    for (const s of vehicle ? services : []) {
      const refusal = vehicleRefusal(s.vehicleConstraints, vehicle!);
      if (!refusal) continue;
      const message = services.length > 1 ? `${s.name}: ${refusal.message}` : refusal.message;
      throw new DomainError('VEHICLE_NOT_SUPPORTED', message, { ...refusal, message, serviceId: s.id });
    }
    const now = new Date(deps.clock.now());
    const status = workshop.autoAccept ? 'accepted' : 'pending';
    const events: NewBooking['events'] = [{ type: 'requested', actorId: actor.id, actorRole: 'customer', data: { holdId: held.id } }];
    if (workshop.autoAccept) events.push({ type: 'accepted', actorId: null, actorRole: 'system', data: { autoAccept: true } });
    const acceptDeadline = workshop.autoAccept ? null : new Date(now.getTime() + workshop.acceptSlaMinutes * 60_000);
    const saga = { live, faults: deps.faults, workshopId: workshop.id, holdId: held.id, customerId: actor.id };
    // The card is authorized before the booking's transaction (never inside one); a decline or an
    // outage throws here and the customer keeps the hold.
    const prepared: PreparedPayment | null = deps.payments
      ? await deps.payments.prepare({
          customerId: actor.id, holdId: held.id, workshopId: workshop.id, category: service.category,
          priceCents: price.priceCents, currency: price.currency, startsAt: slots[0]!.startsAt, paymentMethod: req.paymentMethod,
        })
      : null;
    // The hold is gone, so this authorization can never be used: void it now (a twin's booking keeps its own).
    const abandon = () => (prepared ? deps.payments!.abandon(prepared) : Promise.resolve());
    const committed = await commitWithHold({
      ...saga,
      touchedSlotIds: held.slotIds,
      write: (beforeCommit) =>
        bookings.create({
          customerId: actor.id,
          workshopId: workshop.id,
          serviceId: service.id,
          services: visitLines(held, services, price.priceCents),
          slotIds: slots.map((s) => s.id),
          startsAt: slots[0]!.startsAt,
          endsAt: slots[slots.length - 1]!.endsAt,
          status,
          priceCents: price.priceCents,
          currency: price.currency,
          options: held.options,
          vehicle,
          notes: req.notes ?? null,
          idempotencyKey: key,
          maxOpenPerCustomer,
          holdId: held.id,
          keyAt: now,
          keyReusableBefore: keyCutoff(),
          acceptDeadline,
          createdAt: now,
          events,
          outbox: intentsFor(events, { status, acceptDeadline }, now),
          guard: guarded ? { autoAccept: workshop.autoAccept, acceptSlaMinutes: workshop.acceptSlaMinutes } : undefined,
          payment: prepared?.row,
        }, beforeCommit),
    });
    if (!committed.ok) {
      await abandon();
      throw new DomainError('HOLD_EXPIRED', 'This hold expired before you confirmed; hold the slot again');
    }

    const result = committed.value;
    if (!result.ok) {
      // Refused before the consume: the customer keeps the hold.
      if (result.reason === 'STALE') return 'STALE';
      // The customer keeps the hold, and the authorization with it (a retry replays it; else the sweep voids it).
      if (result.reason === 'LIMIT') throw bookingLimit();
      if (result.reason === 'PAYMENT_LOST') {
        // A twin request gave this hold's authorization up (it saw the hold gone) just now: start again.
        await letGo(held, actor.id);
        throw new DomainError('HOLD_EXPIRED', 'This hold was used by another request at the same moment; hold the slot again');
      }
      if (result.reason === 'DUPLICATE_KEY' && key) {
        // A twin with this key committed first (Postgres made us wait for it), or an earlier
        // request used it: answer with its booking.
        const raced = await earlierFor(actor.id, key, req.holdId);
        if (raced) {
          await abandon();
          return { booking: bookingView(raced), replayed: true };
        }
      }
      // Postgres refused a unit Redis let through. A twin request (no key) that already consumed
      // this hold is the usual cause: then the answer is the same as for any used hold.
      const outcome = await giveBackRefused({ ...saga, slotIds: held.slotIds });
      await abandon();
      if (outcome === 'gone') throw new DomainError('HOLD_EXPIRED', 'This hold has expired or was already used; hold the slot again');
      throw new DomainError('SLOT_UNAVAILABLE', 'That slot was just fully booked; pick another');
    }
    const booking = bookingView(result.booking);
    publisher.bookingChanged(booking, { type: 'requested', at: now.toISOString(), actorRole: 'customer' });
    return { booking, replayed: false };
  }

  return {
    confirm,

    /** Forgets keys past their 24 h (run hourly by every process; they stopped replaying already). */
    purgeExpiredKeys: () => bookings.purgeIdempotencyKeys(keyCutoff()),

    async get(actor: Principal, id: string): Promise<BookingDetailView> {
      const b = await bookings.findById(id);
      if (!b || !canSee(actor, b)) throw notFound('Booking');
      const [all, contact, payment] = await Promise.all([bookings.events(id), bookings.contact(id), deps.paymentOf?.(id) ?? null]);
      // Who did what on the workshop side is the workshop's business: customers see the role only.
      const events = actor.role === 'customer' ? all.map((e) => (e.actorRole === 'customer' ? e : { ...e, actorName: null })) : all;
      return { ...bookingView(b), events, contact, payment: payment ? receiptOf(payment, new Date(b.startsAt)) : null };
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
      if (actor.role === 'vendor') return bookings.list({ ...filter, memberId: actor.id });
      return bookings.list(filter);
    },
  };
}

export type Bookings = ReturnType<typeof createBookings>;
