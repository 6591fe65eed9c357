import Stripe from 'stripe';
import { paymentError, type PaymentError } from '../domain/payment-errors';

// Invalid-request codes that mean "the payment is not in a state for this", not "our request is malformed".
const STATE_CODES = new Set(['payment_intent_unexpected_state', 'charge_already_captured', 'charge_already_refunded', 'amount_too_large', 'charge_not_refundable', 'refund_disputed_payment']);

const retryAfter = (headers: Record<string, string> | undefined) => {
  const sec = Number(headers?.['retry-after']);
  return Number.isFinite(sec) && sec > 0 ? Math.ceil(sec) : undefined;
};

/**
 * A Stripe SDK error in our words (payment-errors.ts). Errors that mean our own request or
 * configuration is wrong (a bad parameter, a bad key) stay plain Errors: a bug to log, not a
 * payment outcome.
 */
export function fromStripeError(err: unknown): PaymentError | unknown {
  const E = Stripe.errors;
  if (!(err instanceof E.StripeError)) return err;
  if (err instanceof E.StripeCardError) {
    // Stripe's `processing_error`: the card network failed, not the card; the same call may succeed later.
    if (err.code === 'processing_error') return paymentError('provider_unavailable', err.message);
    const declineCode = err.decline_code ?? err.code ?? 'generic_decline';
    if (declineCode === 'insufficient_funds') return paymentError('insufficient_funds', err.message, { declineCode });
    return paymentError('declined', err.message, { declineCode });
  }
  if (err instanceof E.StripeRateLimitError) return paymentError('rate_limited', err.message, { retryAfterSec: retryAfter(err.headers) });
  if (err instanceof E.StripeIdempotencyError) return paymentError('idempotency_conflict', err.message);
  if (err instanceof E.StripeConnectionError || err instanceof E.StripeAPIError) return paymentError('provider_unavailable', err.message);
  if (err instanceof E.StripeInvalidRequestError) {
    if (err.code === 'charge_expired_for_capture') return paymentError('authorization_expired', err.message);
    const intent = err.payment_intent;
    // Capturing or cancelling an authorization Stripe already cancelled because it lapsed.
    if (err.code === 'payment_intent_unexpected_state' && intent?.status === 'canceled' && intent.cancellation_reason === 'automatic') {
      return paymentError('authorization_expired', err.message);
    }
    if (err.code && STATE_CODES.has(err.code)) return paymentError('invalid_state', err.message);
    if (err.code === 'resource_missing') return paymentError('not_found', err.message);
    // A transfer (payout) larger than the platform's available Stripe balance: final for this call.
    if (err.code === 'balance_insufficient') return paymentError('insufficient_funds', err.message);
  }
  return err;
}
