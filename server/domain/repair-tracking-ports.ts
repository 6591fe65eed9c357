import type { JobStage, QuoteItem, QuoteView, StageUpdateView } from '@shared/schemas/repair-tracking';
import type { BookingRecord } from './booking-ports';
import type { OutboxIntent } from './notifications';

/** Booking statuses a job can be tracked in: accepted (checked in before the start) and in progress. */
export const TRACKABLE_STATUSES = ['accepted', 'in_progress'] as const;

export interface NewStageUpdate {
  bookingId: string;
  stage: JobStage;
  note: string | null;
  eta: Date | null;
  byId: string;
  byRole: string;
  at: Date;
  /** The stage the domain decided from: refused (STALE) if another update landed meanwhile. */
  expectedFrom: JobStage | null;
  /** Messages the update owes (intent.event 0 = this update), in the same transaction. */
  outbox?: OutboxIntent[];
}

export interface NewQuote {
  bookingId: string;
  items: QuoteItem[];
  totalMinor: number;
  currency: string;
  note: string | null;
  byId: string;
  byRole: string;
  at: Date;
  /** Messages the quote owes (intent.event 0 = its `quote_sent` booking event), in the same transaction. */
  outbox?: OutboxIntent[];
}

export type QuoteDecision = 'approved' | 'declined' | 'withdrawn';

/**
 * Port: stage updates and quotes in Postgres. Every write locks the booking row, re-checks that the
 * booking is still trackable (CLOSED otherwise) and writes its booking event in the same transaction.
 */
export interface JobStore {
  /** Oldest first. */
  updates(bookingId: string): Promise<StageUpdateView[]>;
  /** Newest first. */
  quotes(bookingId: string): Promise<QuoteView[]>;
  findQuote(quoteId: string): Promise<QuoteView | null>;
  addUpdate(u: NewStageUpdate): Promise<StageUpdateView | 'STALE' | 'CLOSED'>;
  /** PENDING: the booking already has a pending quote (a partial unique index decides). */
  createQuote(q: NewQuote): Promise<QuoteView | 'PENDING' | 'CLOSED'>;
  /**
   * Moves a pending quote to its decision with a booking event (`quote_<decision>`); an approval also
   * adds the quote's total to the booking's price and bumps its version. NOT_PENDING when it was decided already.
   */
  decideQuote(d: { quoteId: string; bookingId: string; to: QuoteDecision; byId: string; byRole: string; at: Date }): Promise<{ quote: QuoteView; booking: BookingRecord } | 'NOT_PENDING' | 'CLOSED'>;
}

/** Port: where tracking changes are announced (the realtime hub sends them to the booking's two sides). */
export interface TrackingPublisher {
  jobUpdated(e: { update: StageUpdateView; customerId: string; workshopId: string }): void;
  quoteChanged(e: { quote: QuoteView; priceCents: number; customerId: string; workshopId: string }): void;
}
