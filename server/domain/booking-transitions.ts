import { intentsFor } from './notifications';
import type { BookingAction, LifecycleAction } from '@shared/booking-status';
import type { Disruption } from '@shared/schemas/disruption';
import type { HoldRecord } from './hold-ports';
import type { BookingView } from '@shared/schemas/booking';
import type { Principal } from './actor';
import type { BookingRecord, BookingStore, Publisher } from './booking-ports';
import type { WorkshopStore } from './catalog-ports';
import { requireReschedulable, requireTransition, type LifecycleRole } from './booking-lifecycle';
import { bookingView, canSee, requireStaffPermission } from './bookings';
import { BOOKING_ACTION_PERMISSION } from '@shared/schemas/staff';
import type { Clock } from './clock';
import { DomainError, notFound } from './errors';
import type { LiveCounts } from './live-counts';
import { commitWithHold, giveBackRefused, type FaultHook } from './hold-commit';
import { serviceIdsOf } from './hold-ports';
import type { BookingPayment } from './money/booking-payment-ports';
import { feeOwedFor, paymentFor, type MoneyAction } from './money/payment-flow';

/** How a move is told: the event's type and data, and what the live push adds (a disruption). */
export interface MoveTelling {
  type: string;
  data?: Record<string, unknown>;
  disruption?: Disruption;
}

/** Options of a transition: what its money follows (a customer cancelling a workshop's move pays no fee), and what the push adds. */
export interface ApplyOptions {
  money?: MoneyAction;
  disruption?: Disruption;
}

const EVENT_OF: Record<LifecycleAction, string> = {
  accept: 'accepted',
  decline: 'declined',
  cancel: 'cancelled',
  start: 'started',
  complete: 'completed',
  'no-show': 'no_show',
  expire: 'expired',
  'workshop-cancel': 'cancelled_by_workshop',
};

/** The booking event a customer's answer to a no-show is kept as. */
export const NO_SHOW_RESPONSE = 'no_show_response';

/** Lifecycle moves, reschedules and the accept-SLA sweeper. */
export function createBookingTransitions(deps: {
  bookings: BookingStore;
  live: LiveCounts;
  clock: Clock;
  publisher: Pick<Publisher, 'bookingChanged'>;
  /** A workshop's move policy (auto-accept, auto-accept moves, SLA). */
  workshops: Pick<WorkshopStore, 'findById'>;
  faults?: FaultHook;
  /**
   * Money following the booking (money/payment-flow.ts): the booking's payment row, and `run`, which
   * makes the provider call a move recorded. Absent: moves touch no money.
   */
  payments?: { find: (bookingId: string) => Promise<BookingPayment | null>; run: (bookingId: string) => Promise<unknown> };
}) {
  const { bookings, live, publisher } = deps;

  const timingOf = (b: BookingRecord) => ({ now: deps.clock.now(), startsAt: Date.parse(b.startsAt) });

  async function apply(b: BookingRecord, action: LifecycleAction, role: LifecycleRole, actorId: string | null, data?: Record<string, unknown>, opts: ApplyOptions = {}) {
    const { to, returnsCapacity } = requireTransition(b.status, action, role, timingOf(b));
    const money = opts.money ?? action;
    const type = EVENT_OF[action];
    // Accepting a move request retires the booking it replaces, in the same transaction.
    const replaces = action === 'accept' && b.movesBookingId
      ? { bookingId: b.movesBookingId, event: { type: 'moved', actorId, actorRole: role, data: { to: b.id } } }
      : undefined;
    // The provider call this move decides is recorded with it (same transaction) and made after COMMIT.
    // A move ending the booking without completion also records the fee it owes (what an early capture keeps).
    const paid = deps.payments ? await deps.payments.find(b.id) : null;
    const payment = paymentFor(paid, money, new Date(deps.clock.now()), new Date(b.startsAt)) ?? undefined;
    const feeOwed = feeOwedFor(paid, money, new Date(deps.clock.now()), new Date(b.startsAt));
    const updated = await bookings.transition({
      id: b.id,
      from: b.status,
      version: b.version,
      to,
      returnSlots: returnsCapacity,
      event: { type, actorId, actorRole: role, data },
      replaces,
      payment,
      feeOwed,
      at: new Date(deps.clock.now()),
      outbox: intentsFor([{ type, data }], { status: to, acceptDeadline: null }, new Date(deps.clock.now())),
    });
    if (!updated) throw new DomainError('VERSION_CONFLICT', 'Someone else changed this booking at the same moment; reload it');
    // A failure is recorded on the payment row and retried by the payment sweep; the move stands.
    if (payment || feeOwed !== null) await deps.payments!.run(b.id).catch(() => undefined);
    if (returnsCapacity) await live.returnBooked(b.workshopId, b.slotIds);
    const at = new Date(deps.clock.now()).toISOString();
    if (replaces) {
      const old = await bookings.findById(replaces.bookingId);
      if (old?.status === 'cancelled') {
        await live.returnBooked(old.workshopId, old.slotIds);
        publisher.bookingChanged(bookingView(old), { type: 'moved', at, actorRole: role });
      }
    }
    const view = bookingView(updated);
    publisher.bookingChanged(view, { type, at, actorRole: role, ...(opts.disruption ? { disruption: opts.disruption } : {}) });
    return view;
  }

  /**
   * Moves booking `b` onto the slots of `hold` (taken for b's customer): the reschedule saga
   * (commitWithHold: the move in Postgres, the consume, then COMMIT), told as `telling`. A failed
   * move leaves the booking untouched; the hold is then still live (VERSION) or given back.
   */
  async function moveOnto(b: BookingRecord, hold: Pick<HoldRecord, 'id' | 'slotIds'>, actorId: string, actorRole: LifecycleRole, telling: MoveTelling): Promise<BookingView> {
    const saga = { live, faults: deps.faults, workshopId: b.workshopId, holdId: hold.id, customerId: b.customerId };
    const committed = await commitWithHold({
      ...saga,
      touchedSlotIds: [...b.slotIds, ...hold.slotIds],
      write: (beforeCommit) =>
        bookings.reschedule({
          id: b.id,
          version: b.version,
          oldSlotIds: b.slotIds,
          newSlotIds: hold.slotIds,
          event: { type: telling.type, actorId, actorRole, data: { from: b.slotIds, to: hold.slotIds, ...telling.data } },
          outbox: intentsFor([{ type: telling.type, data: telling.data }], { status: b.status, acceptDeadline: null }, new Date(deps.clock.now())),
        }, beforeCommit),
    });
    if (!committed.ok) throw new DomainError('HOLD_EXPIRED', 'That hold expired before the move; hold the slot again');
    const result = committed.value;
    if (!result.ok) {
      // Nothing was consumed: the hold is still the customer's (a VERSION conflict may be retried with it).
      if (result.reason === 'VERSION') throw new DomainError('VERSION_CONFLICT', 'The booking changed while moving it; reload it');
      // Redis let a hold through that Postgres refused: as in confirm (a twin used the hold, or it goes back).
      if ((await giveBackRefused({ ...saga, slotIds: hold.slotIds })) === 'gone') {
        throw new DomainError('HOLD_EXPIRED', 'That hold has expired or was already used; hold the slot again');
      }
      throw new DomainError('SLOT_UNAVAILABLE', 'That slot was just fully booked; pick another');
    }
    // Redis: the consume counted every new slot booked; every old one goes back (a slot in both nets out, as in Postgres).
    await live.returnBooked(b.workshopId, b.slotIds);
    const view = bookingView(result.booking);
    publisher.bookingChanged(view, { type: telling.type, at: new Date(deps.clock.now()).toISOString(), actorRole, ...(telling.disruption ? { disruption: telling.disruption } : {}) });
    return view;
  }

  /**
   * The customer asked to move an accepted booking: a new pending booking on the held slots,
   * answered by the desk like any request. The booking stays as it is until the workshop accepts
   * (then it is cancelled as `moved` in the same transaction); a decline or expiry leaves it.
   */
  async function requestMove(actor: Principal, b: BookingRecord, slotIds: string[], holdId: string, slaMinutes: number): Promise<BookingView> {
    const now = deps.clock.now();
    const acceptDeadline = new Date(now + slaMinutes * 60_000);
    const saga = { live, faults: deps.faults, workshopId: b.workshopId, holdId, customerId: b.customerId };
    const committed = await commitWithHold({
      ...saga,
      touchedSlotIds: slotIds,
      write: (beforeCommit) =>
        bookings.requestMove({
          fromId: b.id, version: b.version, newSlotIds: slotIds, acceptDeadline, createdAt: new Date(now), actorId: actor.id,
          outbox: intentsFor([{ type: 'move_requested', data: { from: b.id } }], { status: 'pending', acceptDeadline }, new Date(now)),
        }, beforeCommit),
    });
    if (!committed.ok) throw new DomainError('HOLD_EXPIRED', 'That hold expired before the move; hold the slot again');
    const result = committed.value;
    if (!result.ok) {
      if (result.reason === 'VERSION') throw new DomainError('VERSION_CONFLICT', 'The booking changed while moving it; reload it');
      if (result.reason === 'OPEN') throw new DomainError('CONFLICT', 'A move of this booking is already waiting for the workshop; cancel it first to ask for another time');
      if ((await giveBackRefused({ ...saga, slotIds })) === 'gone') throw new DomainError('HOLD_EXPIRED', 'That hold has expired or was already used; hold the slot again');
      throw new DomainError('SLOT_UNAVAILABLE', 'That slot was just fully booked; pick another');
    }
    const view = bookingView(result.booking);
    const at = new Date(deps.clock.now()).toISOString();
    publisher.bookingChanged(view, { type: 'move_requested', at, actorRole: 'customer' });
    publisher.bookingChanged(bookingView(b), { type: 'move_requested', at, actorRole: 'customer' });
    return view;
  }

  return {
    /** A person's action on a booking they may see; roles and states are checked by the lifecycle table. */
    async act(actor: Principal, id: string, action: BookingAction, reason?: string): Promise<BookingView> {
      const b = await bookings.findById(id);
      if (!b || !canSee(actor, b)) throw notFound('Booking');
      requireStaffPermission(actor, b, BOOKING_ACTION_PERMISSION[action]);
      return apply(b, action, actor.role, actor.id, reason ? { reason } : undefined);
    },

    /**
     * The customer answers a no-show ("I was there", "I could not come"): once per booking, kept
     * in its history and listed for admins, who settle it.
     */
    async respondToNoShow(actor: Principal, id: string, text: string): Promise<BookingView> {
      const b = await bookings.findById(id);
      if (!b || b.customerId !== actor.id) throw notFound('Booking');
      if (b.status !== 'no_show') throw new DomainError('INVALID_TRANSITION', 'Only a booking marked as a no-show can be answered');
      const added = await bookings.addEventOnce(id, { type: NO_SHOW_RESPONSE, actorId: actor.id, actorRole: 'customer', data: { text } });
      if (!added) throw new DomainError('CONFLICT', 'You have already answered this no-show; an admin will look at it');
      const view = bookingView(b);
      publisher.bookingChanged(view, { type: NO_SHOW_RESPONSE, at: new Date(deps.clock.now()).toISOString(), actorRole: 'customer' });
      return view;
    },

    /** Admins: no-shows the customer answered, newest answer first. */
    noShowResponses: (limit = 200) => bookings.withEvent(NO_SHOW_RESPONSE, limit),

    /** Moves a booking onto the slots of a fresh hold; a failed move leaves the booking untouched. */
    async reschedule(actor: Principal, id: string, holdId: string): Promise<BookingView> {
      const b = await bookings.findById(id);
      if (!b || !canSee(actor, b) || (actor.role !== 'admin' && b.customerId !== actor.id)) throw notFound('Booking');
      requireReschedulable(b.status, timingOf(b));
      const hold = await live.findHold(holdId);
      if (!hold || hold.customerId !== b.customerId) throw new DomainError('HOLD_EXPIRED', 'That hold has expired or is not yours');
      if (hold.workshopId !== b.workshopId || serviceIdsOf(hold).join() !== b.services.map((x) => x.serviceId).join()) {
        throw new DomainError('SLOT_SERVICE_MISMATCH', 'Hold a slot for the same services at the same workshop to reschedule');
      }
      // An accepted booking at a workshop that accepts moves itself: the move is a request.
      if (b.status === 'accepted' && actor.role === 'customer') {
        const w = await deps.workshops.findById(b.workshopId);
        if (w && !w.autoAccept && !w.autoAcceptMoves) return requestMove(actor, b, hold.slotIds, holdId, w.acceptSlaMinutes);
      }
      // Same order as confirm (see commitWithHold): the move in Postgres, the consume, then COMMIT.
      return moveOnto(b, { id: holdId, slotIds: hold.slotIds }, actor.id, actor.role, { type: 'rescheduled' });
    },

    /** Disruption (disruption.ts): a transition on a booking already authorized by the caller. */
    applyTo: apply,
    /** Disruption (disruption.ts): the reschedule saga onto a hold taken for the booking's customer, authorized by the caller. */
    moveOnto,

    /** Pending requests the vendor did not answer within its SLA become `expired` (run by every process). */
    async expireOverdue(limit = 100): Promise<number> {
      const ids = await bookings.overduePending(new Date(deps.clock.now()), limit);
      let expired = 0;
      for (const id of ids) {
        const b = await bookings.findById(id);
        if (!b || b.status !== 'pending') continue;
        try {
          await apply(b, 'expire', 'system', null, { reason: 'accept SLA missed' });
          expired++;
        } catch (err) {
          // Another process, or the vendor, got there first: that is the point of the CAS.
          if (!(err instanceof DomainError && err.code === 'VERSION_CONFLICT')) throw err;
        }
      }
      return expired;
    },
  };
}

export type BookingTransitions = ReturnType<typeof createBookingTransitions>;
