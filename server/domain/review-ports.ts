import type { ReviewView } from '@shared/schemas/review';

export interface NewReview {
  bookingId: string;
  workshopId: string;
  rating: number;
  text: string | null;
}

/** Port: reviews in Postgres; creating one also moves the workshop's rating, in one transaction. */
export interface ReviewStore {
  /** null when the booking already has a review. */
  create(r: NewReview): Promise<ReviewView | null>;
  forBooking(bookingId: string): Promise<ReviewView | null>;
  /** Newest first. */
  forWorkshop(workshopId: string, limit: number): Promise<ReviewView[]>;
}
