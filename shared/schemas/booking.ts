import { z } from 'zod';
import { BOOKING_STATUSES } from '../booking-status';
import { instantSchema } from './dates';
import { bookingSummarySchema } from '../realtime/events';
import { optionChoiceSchema } from '../service-options';
import { instantOut } from './views';
import { MAX_VISIT_SERVICES } from '../visit';
import { FUEL_TYPES, registrationSchema } from './vehicle';

/**
 * `POST /api/holds`: hold the slots a visit needs, starting at `slotId`. A visit is one service
 * (`serviceId`, with `options`) or several of the same workshop done back to back (`serviceIds`,
 * 1 to MAX_VISIT_SERVICES, each once, with `serviceOptions` per service id): their durations add up
 * to one consecutive run of slots on one day and their prices to the booking's price. Send
 * `serviceId` or `serviceIds`, never both.
 */
export const createHoldSchema = z
  .object({
    workshopId: z.uuid(),
    serviceId: z.uuid().optional(),
    serviceIds: z.array(z.uuid()).min(1).max(MAX_VISIT_SERVICES).optional(),
    slotId: z.uuid(),
    /** With `serviceId`: the skill tier and urgency chosen for it. */
    options: optionChoiceSchema.optional(),
    /** With `serviceIds`: the choice for each service, by its id (a service left out: none). */
    serviceOptions: z.record(z.uuid(), optionChoiceSchema).optional(),
    /** A vehicle from the customer's garage: refused now (VEHICLE_NOT_SUPPORTED) if any service of the visit does not take it. */
    vehicleId: z.uuid().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.serviceId !== undefined && v.serviceIds !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['serviceIds'], message: 'Send either serviceId or serviceIds, not both' });
    } else if (v.serviceId === undefined && v.serviceIds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['serviceId'], message: 'Name the service (serviceId) or the services of the visit (serviceIds)' });
    }
    v.serviceIds?.forEach((id, i) => {
      if (v.serviceIds!.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['serviceIds', i], message: 'Each service may be in a visit once' });
    });
    if (v.serviceOptions !== undefined) {
      if (v.serviceIds === undefined) ctx.addIssue({ code: 'custom', path: ['serviceOptions'], message: 'serviceOptions goes with serviceIds; with serviceId send options' });
      else for (const id of Object.keys(v.serviceOptions)) {
        if (!v.serviceIds.includes(id)) ctx.addIssue({ code: 'custom', path: ['serviceOptions', id], message: 'Options for a service that is not in serviceIds' });
      }
    }
    if (v.serviceIds !== undefined && v.options !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'With serviceIds, send each service\'s options in serviceOptions' });
    }
  });
export type CreateHoldInput = z.input<typeof createHoldSchema>;

/** A hold as its owner sees it. */
export const holdViewSchema = z.strictObject({
  id: z.uuid(),
  workshopId: z.uuid(),
  /** The visit's first service (its only one, for a one-service hold). */
  serviceId: z.uuid(),
  /** Every service of the visit, in order (`[serviceId]` for a one-service hold). */
  serviceIds: z.array(z.uuid()),
  slotIds: z.array(z.uuid()),
  expiresAt: instantOut,
  extensions: z.int(),
  /** The first service's choice. */
  options: optionChoiceSchema,
  /** Each service's choice, by id. */
  serviceOptions: z.record(z.string(), optionChoiceSchema),
  /** The price quoted when the hold was taken (the sum over the visit's services): what a confirm charges. */
  priceCents: z.int().nullable(),
});
export type HoldView = z.infer<typeof holdViewSchema>;

/** A vehicle typed at confirm (instead of one from the garage). */
export const vehicleSchema = z
  .object({
    registration: registrationSchema,
    make: z.string().trim().min(1).max(40).optional(),
    model: z.string().trim().min(1).max(40).optional(),
    year: z.number().int().min(1900).max(2100).optional(),
    fuel: z.enum(FUEL_TYPES).optional(),
  })
  .strict();

/** `POST /api/bookings`: confirm a hold (send an `Idempotency-Key` header to make retries safe). */
export const confirmBookingSchema = z
  .object({
    holdId: z.uuid(),
    vehicle: vehicleSchema.optional(),
    /** A vehicle from the customer's garage (`/api/me/vehicles`), instead of `vehicle`: the booking keeps a copy of its details. */
    vehicleId: z.uuid().optional(),
    notes: z.string().trim().max(1000).optional(),
    /**
     * How the customer pays, when the workshop takes payment at booking: a Stripe PaymentMethod id
     * (`pm_…`, from Stripe Elements), or in the simulated mode a test card number. Never an amount:
     * the server computes what to authorize. Ignored when the workshop is paid at the workshop.
     */
    paymentMethod: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_ -]+$/, 'A card number or a payment method id').optional(),
  })
  .strict()
  .refine((v) => !(v.vehicle && v.vehicleId), { message: 'Send either vehicle or vehicleId, not both', path: ['vehicleId'] });
export type ConfirmBookingInput = z.input<typeof confirmBookingSchema>;

export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces');

/** `POST /api/bookings/:id/reschedule`: move to the slots of a new hold. */
export const rescheduleSchema = z.object({ holdId: z.uuid() }).strict();

export const bookingListQuerySchema = z
  .object({
    status: z.enum(BOOKING_STATUSES).optional(),
    workshopId: z.uuid().optional(),
    from: instantSchema.optional(),
    to: instantSchema.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type BookingListQuery = z.infer<typeof bookingListQuerySchema>;

/** A booking as its customer, its workshop's staff and admins see it. */
export const bookingViewSchema = z.strictObject({
  ...bookingSummarySchema.shape,
  options: optionChoiceSchema,
  slotCount: z.int(),
});
export type BookingView = z.infer<typeof bookingViewSchema>;

export const bookingEventViewSchema = z.strictObject({
  type: z.string(),
  at: instantOut,
  actorRole: z.string(),
  /** Who did it: the person's name (null for the system, e.g. an expired request). */
  actorName: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});
export type BookingEventView = z.infer<typeof bookingEventViewSchema>;

/**
 * How the two sides reach each other about one booking: the workshop's public contact details and
 * the customer's phone. Only in the booking's detail, which only its customer, its workshop's
 * owner and admins can read.
 */
export const bookingContactSchema = z.strictObject({
  workshop: z.strictObject({
    phone: z.string().nullable(),
    email: z.string().nullable(),
    address: z.string(),
    city: z.string(),
    /** An OpenStreetMap link: the pin when the workshop set its location, else an address search. */
    mapUrl: z.string(),
  }),
  customer: z.strictObject({ phone: z.string().nullable() }),
});
export type BookingContact = z.infer<typeof bookingContactSchema>;

/** `POST /api/bookings/:id/no-show-response`: the customer's side of a no-show, for an admin to settle. */
export const noShowResponseSchema = z
  .object({ text: z.string().trim().min(5, 'Tell us what happened (at least 5 characters)').max(1000) })
  .strict();
export type NoShowResponseInput = z.input<typeof noShowResponseSchema>;

/** Reasons a workshop gives when it declines a request or marks a no-show (the text reaches the customer). */
export const DECLINE_REASONS = [
  'Fully booked at that time',
  'We do not do this job on this vehicle',
  'Parts would not arrive in time',
  'Workshop closed that day',
] as const;
export const NO_SHOW_REASONS = ['The customer did not arrive', 'The customer arrived too late to start the job', 'The vehicle was not left with us'] as const;

/**
 * A booking's payment receipt (integer minor units of the booking's currency): what the card holds
 * and what was taken. `at_workshop`: no card, paid at the workshop. Null for bookings without one.
 */
export const bookingReceiptSchema = z.strictObject({
  mode: z.enum(['full', 'deposit', 'at_workshop']),
  status: z.enum(['at_workshop', 'authorized', 'captured', 'voided', 'expired', 'refunded']),
  currency: z.string(),
  priceCents: z.int(),
  authorizedCents: z.int(),
  capturedCents: z.int(),
  /** The part of the capture that is a late-cancellation or no-show fee. */
  feeCents: z.int(),
  refundedCents: z.int(),
  /** Cancelling at or before this is free (moves with the booking). */
  freeCancelUntil: instantOut,
  lateCancelFeeCents: z.int(),
  noShowFeeCents: z.int(),
  /** Whether a provider call for it is still to be made (retried in the background). */
  settling: z.boolean(),
});
export type BookingReceipt = z.infer<typeof bookingReceiptSchema>;

export const bookingDetailViewSchema = z.strictObject({
  ...bookingViewSchema.shape,
  events: z.array(bookingEventViewSchema),
  contact: bookingContactSchema,
  payment: bookingReceiptSchema.nullable(),
});
export type BookingDetailView = z.infer<typeof bookingDetailViewSchema>;
