import { z } from 'zod';
import { calendarDateSchema, instantSchema } from './dates';
import { instantOut } from './views';

/*
 * Disruption: a workshop cancels or moves a booking it cannot honour (with a reason the customer
 * reads), the customer answers with one click, and closing a day resolves every booking on it.
 */

/** Why the workshop cancels or moves a booking: the customer reads it (screen and mail). */
export const disruptionReasonSchema = z.string().trim().min(1, 'Tell the customer why').max(500);

/** Where a workshop move goes: the nearest free run of the same length, or the run starting at this instant. */
export const moveTargetSchema = z.union([z.literal('nearest'), instantSchema]);
export type MoveTarget = z.infer<typeof moveTargetSchema>;

/** `POST /api/bookings/:id/workshop-cancel`. */
export const workshopCancelSchema = z.strictObject({ reason: disruptionReasonSchema });
export type WorkshopCancelInput = z.input<typeof workshopCancelSchema>;

/** `POST /api/bookings/:id/workshop-move`. */
export const workshopMoveSchema = z.strictObject({ to: moveTargetSchema, reason: disruptionReasonSchema });
export type WorkshopMoveInput = z.input<typeof workshopMoveSchema>;

/** A run of consecutive free slots that fits a booking's service (one local day). */
export const freeRunSchema = z.strictObject({
  startsAt: instantOut,
  endsAt: instantOut,
  slotIds: z.array(z.uuid()),
});
export type FreeRun = z.infer<typeof freeRunSchema>;

/** `{runs}`: free runs nearest (in time) to the booking's original start, nearest first. */
export const freeRunsBodySchema = z.strictObject({ runs: z.array(freeRunSchema) });

/** `POST /api/bookings/:id/alternatives/accept`: the customer takes one of the offered runs. */
export const acceptAlternativeSchema = z.strictObject({ startsAt: instantSchema });
export type AcceptAlternativeInput = z.input<typeof acceptAlternativeSchema>;

/**
 * What the customer is told with a workshop's cancel or move (live, in the booking's history and
 * by mail): the workshop's reason and up to 3 free runs to pick instead.
 */
export const disruptionSchema = z.strictObject({
  kind: z.enum(['cancelled', 'moved']),
  reason: z.string(),
  alternatives: z.array(freeRunSchema),
});
export type Disruption = z.infer<typeof disruptionSchema>;

/** How one booking on a day being closed is resolved. */
export const closureResolutionSchema = z.discriminatedUnion('action', [
  z.strictObject({ bookingId: z.uuid(), action: z.literal('move'), to: moveTargetSchema, reason: disruptionReasonSchema }),
  z.strictObject({ bookingId: z.uuid(), action: z.literal('cancel'), reason: disruptionReasonSchema }),
]);
export type ClosureResolution = z.infer<typeof closureResolutionSchema>;

/** `POST /api/workshops/:id/closures`: the day, and a resolution for each booking on it. */
export const closeDaySchema = z.strictObject({
  date: calendarDateSchema,
  reason: z.string().trim().max(200).nullable().optional(),
  resolutions: z.array(closureResolutionSchema).max(500).optional(),
});
export type CloseDayInput = z.input<typeof closeDaySchema>;

/** One resolution's outcome. */
export const resolutionOutcomeSchema = z.strictObject({
  bookingId: z.uuid(),
  outcome: z.enum(['moved', 'cancelled']),
  startsAt: instantOut,
});
export type ResolutionOutcome = z.infer<typeof resolutionOutcomeSchema>;

/** `details` of DAY_HAS_BOOKINGS. */
export interface DayHasBookingsDetails {
  date: string;
  /** The bookings still on the day (id, start, service, customer, status). */
  bookings: Array<{ id: string; startsAt: string; endsAt: string; serviceName: string; customerName: string; status: string }>;
  /** Resolutions applied before the refusal (each stands). */
  resolved: ResolutionOutcome[];
  /** Resolutions that could not be applied, with the error each met. */
  failures: Array<{ bookingId: string; code: string; message: string }>;
}
