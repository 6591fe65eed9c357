import { describe, expect, it } from 'vitest';
import { STATUS_OF } from '../http/error-status';
import { PAYMENT_FAILURES, PaymentError } from './payment-errors';
import { bookingPaymentKey, providerIdempotencyKey } from './payment-keys';

describe('provider idempotency keys', () => {
  const id = '3f2c9a1e-8d4b-4c1a-9e2f-0a1b2c3d4e5f';

  it('name the booking and the step, never the moment: a retry sends the same key', () => {
    expect(bookingPaymentKey(id, 'authorize')).toBe(`booking:${id}:authorize:v1`);
    expect(bookingPaymentKey(id, 'authorize')).toBe(bookingPaymentKey(id, 'authorize'));
    expect(bookingPaymentKey(id, 'capture', { version: 2 })).toBe(`booking:${id}:capture:v2`);
  });

  it('tell a booking\'s refunds apart by ordinal, and workshops and payouts by subject', () => {
    expect(bookingPaymentKey(id, 'refund', { ordinal: 2 })).toBe(`booking:${id}:refund:2:v1`);
    expect(new Set([1, 2, 3].map((n) => bookingPaymentKey(id, 'refund', { ordinal: n }))).size).toBe(3);
    expect(providerIdempotencyKey('workshop', id, 'connect-account')).toBe(`workshop:${id}:connect-account:v1`);
    expect(providerIdempotencyKey('payout', id, 'transfer')).toBe(`payout:${id}:transfer:v1`);
  });

  it('refuse parts that could make two different calls share a key', () => {
    expect(() => bookingPaymentKey('a:b', 'authorize')).toThrow(/not a plain id/);
    expect(() => providerIdempotencyKey('booking', id, 'cap:ture')).toThrow(/not a plain step/);
    expect(() => bookingPaymentKey(id, 'refund', { ordinal: 0 })).toThrow(/ordinal/);
    expect(() => bookingPaymentKey(id, 'authorize', { version: 1.5 })).toThrow(/version/);
  });
});

describe('payment errors', () => {
  it('reach a client as a 4xx or a 503 with a shared code, never a 500', () => {
    const statuses = Object.fromEntries(PAYMENT_FAILURES.map((f) => [f, STATUS_OF[new PaymentError({ failure: f, message: f }).code]]));
    expect(statuses).toEqual({
      declined: 402, insufficient_funds: 402, rate_limited: 503, provider_unavailable: 503, idempotency_conflict: 422,
      authorization_expired: 409, invalid_state: 409, not_found: 404, invalid_signature: 400, requires_action: 402,
    });
  });

  it('a 3-D Secure request carries its payment and client secret to the client, and survives being stored', () => {
    const action = new PaymentError({ failure: 'requires_action', message: 'check', paymentId: 'pi_1', clientSecret: 'pi_1_secret_x' });
    expect(action).toMatchObject({ code: 'PAYMENT_REQUIRES_ACTION', retryable: false, details: { failure: 'requires_action', paymentId: 'pi_1', clientSecret: 'pi_1_secret_x' } });
    expect(new PaymentError(action.toData())).toMatchObject({ paymentId: 'pi_1', clientSecret: 'pi_1_secret_x' });
  });

  it('say which may be retried with the same key, and when', () => {
    const limited = new PaymentError({ failure: 'rate_limited', message: 'slow down', retryAfterSec: 4 });
    expect(limited).toMatchObject({ retryable: true, retryAfterSec: 4, details: { failure: 'rate_limited', retryAfterSec: 4 } });
    expect(new PaymentError({ failure: 'provider_unavailable', message: 'down' }).retryAfterSec).toBe(1);
    const declined = new PaymentError({ failure: 'declined', message: 'no', declineCode: 'do_not_honor' });
    expect(declined).toMatchObject({ retryable: false, retryAfterSec: undefined, details: { failure: 'declined', declineCode: 'do_not_honor' } });
    expect(new PaymentError(declined.toData())).toMatchObject({ code: 'PAYMENT_DECLINED', declineCode: 'do_not_honor', message: 'no' });
  });
});
