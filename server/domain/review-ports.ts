import type { ReportedReview, ReviewView } from '@shared/schemas/review';

export interface NewReview {
  bookingId: string;
  workshopId: string;
  rating: number;
  text: string | null;
}

/** What moderation needs to know of a review before acting on it. */
export interface ReviewRef {
  id: string;
  workshopId: string;
  customerId: string;
  hidden: boolean;
  replied: boolean;
  openReports: number;
}

/** An admin's moderation, written with its audit entry, its reports' resolution and the rating in one transaction. */
export interface Moderation {
  reviewId: string;
  action: 'hide' | 'unhide' | 'dismiss_reports';
  reason: string;
  adminId: string;
  at: Date;
}

/** Port: reviews in Postgres; creating, hiding or showing one also moves the workshop's rating, in one transaction. */
export interface ReviewStore {
  /** null when the booking already has a review. */
  create(r: NewReview): Promise<ReviewView | null>;
  forBooking(bookingId: string): Promise<ReviewView | null>;
  /** Newest first, hidden ones left out. */
  forWorkshop(workshopId: string, limit: number): Promise<ReviewView[]>;
  find(reviewId: string): Promise<ReviewRef | null>;
  /** null when the review already has a reply. */
  reply(reviewId: string, text: string, by: string, at: Date): Promise<ReviewView | null>;
  /** false when this user already reported this review. */
  report(reviewId: string, reporterId: string, reason: string, at: Date): Promise<boolean>;
  moderate(m: Moderation): Promise<ReviewView>;
  /** Reviews with open reports, the most reported first. */
  reported(limit: number): Promise<ReportedReview[]>;
}
