import { z } from 'zod';
import { bookingViewSchema } from './booking';
import { instantOut } from './views';

/*
 * Disputes: the customer of a completed, paid booking (or one charged a late-cancellation or no-show
 * fee) reports a problem within the dispute window;
 * an admin settles it with a full refund, a partial refund or a release to the workshop.
 * See docs/money.md ("Disputes").
 */

export const DISPUTE_REASONS = ['work_not_done', 'poor_quality', 'overcharged', 'damage', 'other'] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

/** What the customer reads in the reason select. */
export const DISPUTE_REASON_LABELS: Record<DisputeReason, string> = {
  work_not_done: 'The work was not done',
  poor_quality: 'The work was poor',
  overcharged: 'I was overcharged',
  damage: 'My vehicle was damaged',
  other: 'Something else',
};

export const DISPUTE_OUTCOMES = ['full_refund', 'partial_refund', 'release'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];

export const DISPUTE_OUTCOME_LABELS: Record<DisputeOutcome, string> = {
  full_refund: 'Full refund',
  partial_refund: 'Partial refund',
  release: 'Paid to the workshop',
};

export const DISPUTE_STATUSES = ['open', 'resolved'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** `POST /api/bookings/:id/dispute`. */
export const openDisputeSchema = z.strictObject({
  reason: z.enum(DISPUTE_REASONS),
  text: z.string().trim().min(10, 'Tell us what went wrong (at least 10 characters)').max(2000),
});
export type OpenDisputeInput = z.input<typeof openDisputeSchema>;

/** `POST /api/admin/disputes/:id/resolve`: `amountMinor` only (and always) for a partial refund. */
export const resolveDisputeSchema = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('full_refund'), note: z.string().trim().max(2000).optional() }),
  z.strictObject({ outcome: z.literal('partial_refund'), amountMinor: z.int().min(1).max(100_000_000), note: z.string().trim().max(2000).optional() }),
  z.strictObject({ outcome: z.literal('release'), note: z.string().trim().max(2000).optional() }),
]);
export type ResolveDisputeInput = z.input<typeof resolveDisputeSchema>;

/** `GET /api/admin/disputes?status=`: the queue, oldest first. */
export const disputeListQuerySchema = z.strictObject({
  status: z.enum(DISPUTE_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** A dispute as the booking's customer, its workshop's owner and admins see it. */
export const disputeViewSchema = z.strictObject({
  id: z.uuid(),
  bookingId: z.uuid(),
  reason: z.enum(DISPUTE_REASONS),
  text: z.string(),
  status: z.enum(DISPUTE_STATUSES),
  outcome: z.enum(DISPUTE_OUTCOMES).nullable(),
  /** Minor units returned to the customer by the resolution (0 for a release); null while open. */
  refundedMinor: z.int().nullable(),
  currency: z.string(),
  /** The admin's note to both sides; null while open or when none was written. */
  note: z.string().nullable(),
  openedAt: instantOut,
  resolvedAt: instantOut.nullable(),
});
export type DisputeView = z.infer<typeof disputeViewSchema>;

/** `GET /api/bookings/:id/dispute`. */
export const bookingDisputeSchema = z.strictObject({
  dispute: disputeViewSchema.nullable(),
  /**
   * Until when the customer can report a problem (the booking's end + the dispute window); null unless
   * completed, or cancelled or a no-show with a fee charged.
   */
  openUntil: instantOut.nullable(),
});
export type BookingDispute = z.infer<typeof bookingDisputeSchema>;

/** One row of the admin queue: the dispute, its booking and what its money is now. */
export const disputeQueueItemSchema = z.strictObject({
  dispute: disputeViewSchema,
  booking: bookingViewSchema,
  /** The ledger's position for the booking: captured, refunded, still in escrow (minor units). */
  money: z.strictObject({ captured: z.int(), refunded: z.int(), escrowed: z.int(), released: z.boolean() }),
});
export type DisputeQueueItem = z.infer<typeof disputeQueueItemSchema>;

/** `booking:dispute` socket event: a dispute on one of your bookings opened or was resolved. */
export interface BookingDisputeEvent {
  bookingId: string;
  workshopId: string;
  dispute: DisputeView;
}
