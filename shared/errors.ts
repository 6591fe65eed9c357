import { z } from 'zod';

/** Every error code the API and the socket acks can answer with. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  /** A search `cursor` this server did not give, or given with other search parameters than its first page. */
  'INVALID_CURSOR',
  /** A match window that ends before it starts, spans more than 28 days or has already ended. */
  'MATCH_WINDOW_INVALID',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'FORBIDDEN',
  'ACCOUNT_SUSPENDED',
  'CSRF_REJECTED',
  'NOT_FOUND',
  'CONFLICT',
  'EMAIL_TAKEN',
  'SLOT_UNAVAILABLE',
  'SLOT_WITHDRAWN',
  'SLOT_SERVICE_MISMATCH',
  'HOLD_EXPIRED',
  'HOLD_LIMIT',
  'BOOKING_LIMIT',
  'HOLD_EXTENSION_LIMIT',
  'INVALID_TRANSITION',
  'TOO_EARLY',
  'VERSION_CONFLICT',
  'WORKSHOP_NOT_BOOKABLE',
  'SCHEDULE_TOO_LARGE',
  /** Verification refused: the workshop's readiness checklist has open items (details.missing). */
  'NOT_READY',
  'SERVICE_RETIRED',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  /** The card was refused (`details.declineCode` says why). */
  'PAYMENT_DECLINED',
  /** This workshop takes payment at booking: the confirm must carry a card (`paymentMethod`). */
  'PAYMENT_METHOD_REQUIRED',
  'PAYMENT_INSUFFICIENT_FUNDS',
  /** The card authorization lapsed before it was captured. */
  'PAYMENT_AUTHORIZATION_EXPIRED',
  /** The payment is not in a state that allows this (e.g. a refund beyond what was captured). */
  'PAYMENT_STATE_CONFLICT',
  /**
   * The card's bank asks the customer to authenticate (3-D Secure): nothing is booked and the hold is
   * kept; complete it with `details.clientSecret` (Stripe.js handleNextAction, or the simulated
   * check), then send the same confirm again.
   */
  'PAYMENT_REQUIRES_ACTION',
  /** The payment provider is down or throttling us: retry after `Retry-After`. */
  'PAYMENT_PROVIDER_UNAVAILABLE',
  /** A provider webhook whose signature or timestamp does not verify. */
  'WEBHOOK_SIGNATURE_INVALID',
  /** A problem reported after the dispute window closed (`details.closedAt`). */
  'DISPUTE_WINDOW_CLOSED',
  /** A dispute on a booking nothing was paid for through the platform: there is nothing to refund. */
  'NOTHING_CAPTURED',
  /** A refund beyond what the booking has left (captured less refunded; `details.refundableMinor`). */
  'REFUND_TOO_LARGE',
  /** An emailed link's token that matches nothing (mistyped, or replaced by a newer link, or withdrawn). */
  'TOKEN_INVALID',
  /** An emailed link past its lifetime: ask for a new one. */
  'TOKEN_EXPIRED',
  /** An emailed link already used once (each works once). */
  'TOKEN_USED',
  /** The address is verified already: no new link is sent. */
  'ALREADY_VERIFIED',
  /** A VIN that cannot be one: length, characters, or (North American VINs) the check digit; `details.reason`. */
  'VIN_INVALID',
  /** A well-formed VIN the offline NHTSA vPIC data cannot decode (an unknown manufacturer or pattern). */
  'VIN_UNKNOWN',
  /** The registration provider (DVLA) refused the registration's format. */
  'REGISTRATION_INVALID',
  /** The registration provider (DVLA) has no vehicle with this registration. */
  'REGISTRATION_NOT_FOUND',
  /** Registration lookup is not configured, or the provider is down, throttling us or too slow: enter the details by hand. */
  'LOOKUP_UNAVAILABLE',
  /** The service does not take this vehicle (fuel, weight or make; `details.reason`). */
  'VEHICLE_NOT_SUPPORTED',
  /**
   * Closing a day that still has bookings: `details.bookings` lists them; send a resolution for each
   * (move to the nearest free run, to a start, or cancel with a reason). `details.failures`: the
   * resolutions that could not be applied (the others were; the day is still open).
   */
  'DAY_HAS_BOOKINGS',
  /** No free run of the booking's length is left at the workshop (or not at the start asked for). */
  'NO_FREE_RUN',
  'INTERNAL',
  /** Tests only: a handler answered a body its route does not declare (see server/http/contract-check.ts). */
  'CONTRACT_VIOLATION',
] as const;

/** A machine-readable error code, shared by server and client. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The body of every error response: `{error: {code, message, details?}}`. */
export const apiErrorBodySchema = z.strictObject({
  error: z.strictObject({ code: z.enum(ERROR_CODES), message: z.string(), details: z.unknown().optional() }),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;
