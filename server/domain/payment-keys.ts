/*
 * Idempotency keys for provider calls. A key names what the call is for (the booking and the step),
 * never when it was made, so a retry after a crash, a timeout or a second process sends the same key
 * and the provider acts at most once. Bump `version` only to deliberately make a new attempt after
 * a final answer (e.g. authorize again with a new card after a decline).
 */

/** The steps of a booking's payment; each is one provider call. */
export type BookingPaymentStep = 'authorize' | 'capture' | 'void' | 'refund';

/** What a key is about: a booking's payment, a hold being confirmed (its booking does not exist yet), a workshop's connected account, or a payout. */
export type KeySubject = 'booking' | 'workshop' | 'payout' | 'hold';

// Ids are ours (uuids); anything else could make two different calls share a key.
const PART = /^[A-Za-z0-9_-]{1,80}$/;

/** `<subject>:<id>:<step>[:<n>]:v<version>`, e.g. `booking:3f…:authorize:v1`, `booking:3f…:refund:2:v1`. */
export function providerIdempotencyKey(subject: KeySubject, id: string, step: string, opts: { ordinal?: number; version?: number } = {}): string {
  const version = opts.version ?? 1;
  if (!PART.test(id)) throw new Error(`idempotency key: "${id}" is not a plain id`);
  if (!PART.test(step)) throw new Error(`idempotency key: "${step}" is not a plain step name`);
  if (!Number.isInteger(version) || version < 1) throw new Error('idempotency key: version is a positive integer');
  if (opts.ordinal !== undefined && (!Number.isInteger(opts.ordinal) || opts.ordinal < 1)) throw new Error('idempotency key: ordinal is a positive integer');
  return [subject, id, step, ...(opts.ordinal !== undefined ? [String(opts.ordinal)] : []), `v${version}`].join(':');
}

/**
 * The key of one step of a booking's payment. Several refunds of one booking are told apart by
 * `ordinal` (the 1st, 2nd … refund), so retrying the second refund never repeats the first.
 */
export const bookingPaymentKey = (bookingId: string, step: BookingPaymentStep, opts: { ordinal?: number; version?: number } = {}) =>
  providerIdempotencyKey('booking', bookingId, step, opts);
