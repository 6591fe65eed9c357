import type { ReviewInput, ReviewView } from '@shared/schemas/review';
import type { Principal } from './actor';
import type { BookingStore } from './booking-ports';
import { canSee } from './bookings';
import { DomainError, notFound } from './errors';
import type { ReviewStore } from './review-ports';

/** Reviews: the customer of a completed booking rates it once; anyone reads a public workshop's. */
export function createReviews(deps: {
  bookings: BookingStore;
  reviews: ReviewStore;
  /** The catalog's rule: the workshop if this viewer may see it, else NOT_FOUND. */
  visibleWorkshop: (id: string, viewer: Principal | null) => Promise<unknown>;
}) {
  return {
    async review(actor: Principal, bookingId: string, input: ReviewInput): Promise<ReviewView> {
      const b = await deps.bookings.findById(bookingId);
      if (!b || !canSee(actor, b)) throw notFound('Booking');
      if (b.customerId !== actor.id) throw new DomainError('FORBIDDEN', 'Only the customer who booked can review it');
      if (b.status !== 'completed') throw new DomainError('INVALID_TRANSITION', 'Only a completed booking can be reviewed');
      const created = await deps.reviews.create({ bookingId, workshopId: b.workshopId, rating: input.rating, text: input.text || null });
      if (!created) throw new DomainError('CONFLICT', 'You have already reviewed this booking');
      return created;
    },

    /** The review of a booking, for whoever may see the booking. */
    async forBooking(actor: Principal, bookingId: string): Promise<ReviewView | null> {
      const b = await deps.bookings.findById(bookingId);
      if (!b || !canSee(actor, b)) throw notFound('Booking');
      return deps.reviews.forBooking(bookingId);
    },

    /** A workshop's reviews, newest first: public for verified workshops, else owner and admins only. */
    async forWorkshop(actor: Principal | null, workshopId: string, limit: number): Promise<ReviewView[]> {
      await deps.visibleWorkshop(workshopId, actor);
      return deps.reviews.forWorkshop(workshopId, limit);
    },
  };
}
