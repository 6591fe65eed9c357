import { z } from 'zod';
import { instantOut } from './views';

/**
 * Quality metrics of one workshop over the window (QUALITY_WINDOW_DAYS), each with the count it
 * was measured over. A rate is null when there was nothing to measure.
 *  - completionRate = completed / (completed + declined + expired + cancelled by the workshop)
 *  - medianResponseMinutes = median minutes from a request to the vendor's accept or decline
 *    (auto-accepted requests excluded)
 *  - workshopCancellationRate = bookings cancelled by the workshop / bookings accepted
 *  - rating = the workshop's average over its visible reviews (all time)
 */
export const qualityMetricsSchema = z.strictObject({
  completionRate: z.number().nullable(),
  /** completed + declined + expired + cancelled by the workshop. */
  finished: z.int(),
  medianResponseMinutes: z.number().nullable(),
  /** Requests the vendor answered by hand. */
  responses: z.int(),
  workshopCancellationRate: z.number().nullable(),
  accepted: z.int(),
  rating: z.number().nullable(),
  reviews: z.int(),
});
export type QualityMetrics = z.infer<typeof qualityMetricsSchema>;

export const QUALITY_BREACHES = ['rating', 'completion', 'response', 'cancellation'] as const;
export type QualityBreachKey = (typeof QUALITY_BREACHES)[number];

/** One threshold a workshop is on the wrong side of, in words an admin can act on. */
export const qualityBreachSchema = z.strictObject({
  key: z.enum(QUALITY_BREACHES),
  /** E.g. "Rating 2.4 over 12 reviews (threshold: below 3.0 over at least 10)". */
  detail: z.string(),
});
export type QualityBreach = z.infer<typeof qualityBreachSchema>;

/** The thresholds in force (from the environment). */
export const qualityThresholdsSchema = z.strictObject({
  minRating: z.number(),
  minReviews: z.int(),
  minCompletionRate: z.number(),
  minFinished: z.int(),
  maxMedianResponseMinutes: z.number(),
  minResponses: z.int(),
  maxCancellationRate: z.number(),
  minAccepted: z.int(),
  windowDays: z.int(),
});
export type QualityThresholds = z.infer<typeof qualityThresholdsSchema>;

/** `GET /api/v1/workshops/{id}/quality`: the workshop's own metrics and what they breach. */
export const workshopQualitySchema = z.strictObject({
  workshopId: z.uuid(),
  metrics: qualityMetricsSchema,
  breaches: z.array(qualityBreachSchema),
  thresholds: qualityThresholdsSchema,
  since: instantOut,
});
export type WorkshopQuality = z.infer<typeof workshopQualitySchema>;

/** Why a workshop is in the admin's quality queue. */
export const insuranceFlagSchema = z.strictObject({
  state: z.enum(['expiring', 'lapsed']),
  expiresOn: z.iso.date().nullable(),
});

/** A row of `GET /api/admin/quality/queue`. */
export const qualityQueueItemSchema = z.strictObject({
  workshop: z.strictObject({ id: z.uuid(), name: z.string(), city: z.string(), status: z.enum(['pending', 'verified', 'suspended']), ownerId: z.uuid() }),
  metrics: qualityMetricsSchema,
  breaches: z.array(qualityBreachSchema),
  /** Insurance expiring within 30 days (still verified) or lapsed (back to pending); null: fine. */
  insurance: insuranceFlagSchema.nullable(),
});
export type QualityQueueItem = z.infer<typeof qualityQueueItemSchema>;

/** `POST /api/admin/quality/{workshopId}/dismiss`: why the admin leaves the workshop as it is. */
export const qualityDismissSchema = z.strictObject({
  reason: z.string().trim().min(5, 'Say why (at least 5 characters)').max(1000),
});
export type QualityDismissInput = z.input<typeof qualityDismissSchema>;
