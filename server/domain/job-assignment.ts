import type { BookingView } from '@shared/schemas/booking';
import type { Principal } from './actor';
import type { BookingStore, Publisher } from './booking-ports';
import type { WorkshopStore } from './catalog-ports';
import { bookingView, canSee, requireStaffPermission } from './bookings';
import type { Clock } from './clock';
import { DomainError, notFound } from './errors';

/** Jobs that are still to be done (or being done) can be given to a mechanic and a bay. */
const ASSIGNABLE = new Set(['pending', 'accepted', 'in_progress']);

/**
 * The desk gives a booking to a mechanic (anyone working in its workshop) and a bay
 * (1..the workshop's bays); each change is a booking event naming who made it.
 */
export function createJobAssignment(deps: { bookings: Pick<BookingStore, 'findById' | 'assign'>; workshops: Pick<WorkshopStore, 'findById'>; publisher: Pick<Publisher, 'bookingChanged'>; clock: Clock }) {
  return {
    async assign(actor: Principal, bookingId: string, input: { assigneeId: string | null; bay: number | null }): Promise<BookingView> {
      const b = await deps.bookings.findById(bookingId);
      if (!b || !canSee(actor, b) || actor.role === 'customer') throw notFound('Booking');
      requireStaffPermission(actor, b, 'jobs.assign');
      if (!ASSIGNABLE.has(b.status)) throw new DomainError('INVALID_TRANSITION', `A ${b.status.replace('_', ' ')} booking is not assigned any more`);
      if (input.assigneeId && !b.staff[input.assigneeId]) throw new DomainError('VALIDATION_FAILED', 'Invalid input: assigneeId: assign the job to someone who works in this workshop', [{ path: 'assigneeId', message: 'Not a member of this workshop' }]);
      if (input.bay !== null) {
        const w = await deps.workshops.findById(b.workshopId);
        if (!w) throw notFound('Workshop');
        if (input.bay > w.bays) throw new DomainError('VALIDATION_FAILED', `Invalid input: bay: this workshop has ${w.bays} bay${w.bays === 1 ? '' : 's'}`, [{ path: 'bay', message: `At most ${w.bays}` }]);
      }
      const updated = await deps.bookings.assign({
        id: b.id,
        version: b.version,
        assigneeId: input.assigneeId,
        bay: input.bay,
        event: { type: 'assigned', actorId: actor.id, actorRole: actor.role, data: { assigneeId: input.assigneeId, bay: input.bay } },
      });
      if (updated === 'not_member') throw new DomainError('CONFLICT', 'That person no longer works in this workshop');
      if (!updated) throw new DomainError('VERSION_CONFLICT', 'Someone else changed this booking at the same moment; reload it');
      const view = bookingView(updated);
      deps.publisher.bookingChanged(view, { type: 'assigned', at: new Date(deps.clock.now()).toISOString(), actorRole: actor.role });
      return view;
    },
  };
}

export type JobAssignment = ReturnType<typeof createJobAssignment>;
