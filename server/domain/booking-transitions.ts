import type { BookingAction } from '@shared/booking-status';
import type { BookingView } from '@shared/schemas/booking';
import type { Principal } from './actor';
import type { BookingRecord, BookingStore, Publisher } from './booking-ports';
import { requireReschedulable, requireTransition, type LifecycleRole } from './booking-lifecycle';
import { bookingView, canSee } from './bookings';
import type { Clock } from './clock';
import { DomainError, notFound } from './errors';
import type { SlotStore } from './catalog-ports';
import type { HoldPort, SlotSeed } from './hold-ports';

const EVENT_OF: Record<BookingAction | 'expire', string> = {
  accept: 'accepted',
  decline: 'declined',
  cancel: 'cancelled',
  start: 'started',
  complete: 'completed',
  'no-show': 'no_show',
  expire: 'expired',
};

/** Lifecycle moves, reschedules and the accept-SLA sweeper. */
export function createBookingTransitions(deps: { bookings: BookingStore; slots: SlotStore; holds: HoldPort; clock: Clock; publisher: Publisher }) {
  const { bookings, holds, publisher } = deps;
  /** Postgres's counts of some slots, so a move Postgres refused can put Redis back in line. */
  const seedsOf = async (ids: string[]): Promise<SlotSeed[]> =>
    (await deps.slots.byIds(ids)).map((r) => ({ slotId: r.id, capacity: r.capacity, booked: r.booked }));

  const timingOf = (b: BookingRecord) => ({ now: deps.clock.now(), startsAt: Date.parse(b.startsAt) });

  async function apply(b: BookingRecord, action: BookingAction | 'expire', role: LifecycleRole, actorId: string | null, data?: Record<string, unknown>) {
    const { to, returnsCapacity } = requireTransition(b.status, action, role, timingOf(b));
    const type = EVENT_OF[action];
    const updated = await bookings.transition({
      id: b.id,
      from: b.status,
      version: b.version,
      to,
      returnSlots: returnsCapacity,
      event: { type, actorId, actorRole: role, data },
    });
    if (!updated) throw new DomainError('VERSION_CONFLICT', 'Someone else changed this booking at the same moment; reload it');
    if (returnsCapacity) publisher.slotsChanged(await holds.returnBooked(b.workshopId, b.slotIds), 'booking_returned');
    const view = bookingView(updated);
    publisher.bookingChanged(view, { type, at: new Date(deps.clock.now()).toISOString(), actorRole: role });
    return view;
  }

  return {
    /** A person's action on a booking they may see; roles and states are checked by the lifecycle table. */
    async act(actor: Principal, id: string, action: BookingAction, reason?: string): Promise<BookingView> {
      const b = await bookings.findById(id);
      if (!b || !canSee(actor, b)) throw notFound('Booking');
      return apply(b, action, actor.role, actor.id, reason ? { reason } : undefined);
    },

    /** Moves a booking onto the slots of a fresh hold; a failed move leaves the booking untouched. */
    async reschedule(actor: Principal, id: string, holdId: string): Promise<BookingView> {
      const b = await bookings.findById(id);
      if (!b || !canSee(actor, b) || (actor.role !== 'admin' && b.customerId !== actor.id)) throw notFound('Booking');
      requireReschedulable(b.status, timingOf(b));
      const hold = await holds.findHold(holdId);
      if (!hold || hold.customerId !== b.customerId) throw new DomainError('HOLD_EXPIRED', 'That hold has expired or is not yours');
      if (hold.workshopId !== b.workshopId || hold.serviceId !== b.serviceId) {
        throw new DomainError('SLOT_SERVICE_MISMATCH', 'Hold a slot for the same service at the same workshop to reschedule');
      }
      const consumed = await holds.consume(holdId, b.customerId);
      if (!consumed.ok) {
        if (consumed.code === 'HOLD_EXPIRED') publisher.slotsChanged(consumed.change, 'expired');
        throw new DomainError('HOLD_EXPIRED', 'That hold expired before the move; hold the slot again');
      }
      publisher.slotsChanged(consumed.change, 'booked');
      const slotIds = consumed.hold.slotIds;
      const result = await bookings.reschedule({
        id: b.id,
        version: b.version,
        oldSlotIds: b.slotIds,
        newSlotIds: slotIds,
        event: { type: 'rescheduled', actorId: actor.id, actorRole: actor.role, data: { from: b.slotIds, to: slotIds } },
      }).catch(async (err: unknown) => {
        // Unknown outcome after the hold was consumed: Postgres decides what Redis shows for both runs.
        const ids = [...new Set([...b.slotIds, ...slotIds])];
        await seedsOf(ids).then((seeds) => holds.resync(b.workshopId, seeds)).then((c) => publisher.slotsChanged(c, 'resync')).catch(() => undefined);
        throw err;
      });
      if (!result.ok) {
        publisher.slotsChanged(await holds.unconsume(b.workshopId, slotIds), 'booking_returned');
        if (result.reason === 'VERSION') throw new DomainError('VERSION_CONFLICT', 'The booking changed while moving it; reload it');
        // Redis let a hold through that Postgres refused: put Redis back in line with Postgres, as confirm does.
        publisher.slotsChanged(await holds.resync(b.workshopId, await seedsOf(slotIds)), 'resync');
        throw new DomainError('SLOT_UNAVAILABLE', 'That slot was just fully booked; pick another');
      }
      publisher.slotsChanged(await holds.returnBooked(b.workshopId, b.slotIds), 'booking_returned');
      const view = bookingView(result.booking);
      publisher.bookingChanged(view, { type: 'rescheduled', at: new Date(deps.clock.now()).toISOString(), actorRole: actor.role });
      return view;
    },

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
