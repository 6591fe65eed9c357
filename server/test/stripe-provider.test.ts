import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { PaymentError } from '../domain/payment-errors';
import { bookingPaymentKey, providerIdempotencyKey } from '../domain/payment-keys';
import { createStripeProvider } from '../payments/stripe-provider';
import { startFakeStripe, type FakeStripe } from './fixtures/fake-stripe';

/*
 * The Stripe adapter as the SDK really drives it: the requests it sends (path, form parameters,
 * Idempotency-Key, amounts), Stripe's error shapes, the SDK's own retries, and webhook signatures.
 * A local server plays Stripe (fixtures/fake-stripe.ts); nothing reaches the network.
 */

const START = Date.UTC(2027, 2, 27, 23, 0);
const WEBHOOK_SECRET = 'whsec_test_holdfast';
const clock = manualClock(START);
let fake: FakeStripe;
let provider: ReturnType<typeof createStripeProvider>;

beforeAll(async () => {
  fake = await startFakeStripe({ clock });
  provider = createStripeProvider({ secretKey: 'sk_test_adapter', webhookSecret: WEBHOOK_SECRET, apiBase: new URL(fake.url), clock });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  clock.set(START);
});

async function failure(p: Promise<unknown>): Promise<PaymentError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(PaymentError);
  return err as PaymentError;
}

const authorizeInput = (bookingId = randomUUID(), paymentMethod = 'pm_card_visa') => ({
  idempotencyKey: bookingPaymentKey(bookingId, 'authorize'), amount: 4599, currency: 'gbp', customerId: 'c1', paymentMethod, metadata: { booking_id: bookingId },
});

describe('Stripe adapter: the requests it sends', () => {
  it('authorizes with a manual-capture PaymentIntent confirmed at once, under our idempotency key', async () => {
    const input = authorizeInput();
    const a = await provider.authorize(input);
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/payment_intents', idempotencyKey: input.idempotencyKey, authorization: 'Bearer sk_test_adapter' });
    expect(req!.params).toMatchObject({
      amount: '4599', currency: 'gbp', capture_method: 'manual', confirm: 'true', payment_method: 'pm_card_visa',
      'automatic_payment_methods[enabled]': 'true', 'automatic_payment_methods[allow_redirects]': 'never',
      'metadata[customer_id]': 'c1', 'metadata[booking_id]': input.metadata.booking_id,
    });
    expect(req!.stripeVersion).toBeTruthy();
    expect(fake.intents.get(a.paymentId)).toMatchObject({ status: 'requires_capture', amount_capturable: 4599 });
  });

  it('captures (amount_to_capture for a part), cancels and refunds by the PaymentIntent id', async () => {
    const id = randomUUID();
    const a = await provider.authorize(authorizeInput(id));
    await provider.capture({ idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId, amount: 1000 });
    await provider.refund({ idempotencyKey: bookingPaymentKey(id, 'refund', { ordinal: 1 }), paymentId: a.paymentId, amount: 400 });
    const b = await provider.authorize(authorizeInput());
    await provider.void({ idempotencyKey: bookingPaymentKey(id, 'void'), paymentId: b.paymentId });
    expect(fake.requests.map((r) => [r.path, r.params, r.idempotencyKey])).toEqual([
      ['/v1/payment_intents', expect.anything(), bookingPaymentKey(id, 'authorize')],
      [`/v1/payment_intents/${a.paymentId}/capture`, { amount_to_capture: '1000' }, bookingPaymentKey(id, 'capture')],
      ['/v1/refunds', { payment_intent: a.paymentId, amount: '400' }, bookingPaymentKey(id, 'refund', { ordinal: 1 })],
      ['/v1/payment_intents', expect.anything(), expect.any(String)],
      [`/v1/payment_intents/${b.paymentId}/cancel`, {}, bookingPaymentKey(id, 'void')],
    ]);
  });

  it('creates an Express Connect account for a workshop and transfers to it', async () => {
    const workshopId = randomUUID();
    const { accountId } = await provider.createConnectedAccount({ idempotencyKey: providerIdempotencyKey('workshop', workshopId, 'connect-account'), workshopId, country: 'GB', email: 'v@example.test' });
    await provider.transfer({ idempotencyKey: providerIdempotencyKey('payout', 'p1', 'transfer'), accountId, amount: 2500, currency: 'gbp', transferGroup: 'p1' });
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/accounts', idempotencyKey: `workshop:${workshopId}:connect-account:v1`,
      params: { type: 'express', country: 'GB', email: 'v@example.test', 'capabilities[transfers][requested]': 'true', 'metadata[workshop_id]': workshopId },
    });
    expect(fake.requests[1]).toMatchObject({ path: '/v1/transfers', idempotencyKey: 'payout:p1:transfer:v1', params: { amount: '2500', currency: 'gbp', destination: accountId, transfer_group: 'p1' } });
  });
});

describe('Stripe adapter: errors and retries', () => {
  it('maps a 402 card_error to a decline carrying its decline_code', async () => {
    const err = await failure(provider.authorize(authorizeInput(randomUUID(), 'pm_card_chargeDeclined')));
    expect(err).toMatchObject({ failure: 'declined', declineCode: 'generic_decline', code: 'PAYMENT_DECLINED', retryable: false });
    expect(err.message).toBe('Your card was declined.');
  });

  it('answers a replayed request from Stripe\'s stored result (Idempotent-Replayed: true), creating nothing new', async () => {
    const input = authorizeInput();
    const first = await provider.authorize(input);
    const again = await provider.authorize(input);
    expect(again).toEqual({ ...first, replayed: true });
    expect(fake.requests.map((r) => r.idempotencyKey)).toEqual([input.idempotencyKey, input.idempotencyKey]);
    expect([...fake.intents.values()].filter((pi) => pi.metadata.booking_id === input.metadata.booking_id)).toHaveLength(1);
  });

  it('reports a 429 the SDK does not retry as rate_limited, retryable after Retry-After; the retry with the same key charges once', async () => {
    const input = authorizeInput();
    fake.failNext(1, fake.rateLimited({ retryAfterSec: 7 }));
    const err = await failure(provider.authorize(input));
    expect(err).toMatchObject({ failure: 'rate_limited', code: 'PAYMENT_PROVIDER_UNAVAILABLE', retryable: true, retryAfterSec: 7 });
    expect(fake.requests).toHaveLength(1); // a plain 429 is not retried by the SDK
    const a = await provider.authorize(input);
    expect(a.replayed).toBe(false);
    expect(fake.requests.map((r) => r.idempotencyKey)).toEqual([input.idempotencyKey, input.idempotencyKey]);
  });

  it('lets the SDK retry a 429 marked Stripe-Should-Retry, with the same Idempotency-Key, so one PaymentIntent results', async () => {
    const input = authorizeInput();
    fake.failNext(1, fake.rateLimited({ shouldRetry: true }));
    const a = await provider.authorize(input);
    expect(fake.requests.map((r) => [r.path, r.idempotencyKey])).toEqual([
      ['/v1/payment_intents', input.idempotencyKey],
      ['/v1/payment_intents', input.idempotencyKey],
    ]);
    expect([...fake.intents.values()].filter((pi) => pi.metadata.booking_id === input.metadata.booking_id).map((pi) => pi.id)).toEqual([a.paymentId]);
  });

  it('gives up after the SDK\'s retries of a 5xx with provider_unavailable (retryable), never with a second key', async () => {
    const input = authorizeInput();
    fake.failNext(3, { status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred' } } });
    expect(await failure(provider.authorize(input))).toMatchObject({ failure: 'provider_unavailable', retryable: true });
    expect(fake.requests.map((r) => r.idempotencyKey)).toEqual([input.idempotencyKey, input.idempotencyKey, input.idempotencyKey]);
  });

  it('refuses a key reused for another request (idempotency_error) as an idempotency conflict', async () => {
    const input = authorizeInput();
    await provider.authorize(input);
    expect(await failure(provider.authorize({ ...input, amount: 100 }))).toMatchObject({ failure: 'idempotency_conflict', code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('treats a refused API key as a configuration fault, not a payment outcome', async () => {
    const wrong = createStripeProvider({ secretKey: 'sk_live_wrong', webhookSecret: WEBHOOK_SECRET, apiBase: new URL(fake.url), clock });
    const err = await wrong.authorize(authorizeInput()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err).not.toBeInstanceOf(PaymentError);
  });
});

describe('Stripe adapter: webhooks', () => {
  const event = (id: string, type: string, object: Record<string, unknown>) =>
    JSON.stringify({ id, object: 'event', type, created: Math.floor(clock.now() / 1000), data: { object }, livemode: false, api_version: '2026-01-01', pending_webhooks: 1, request: { id: null, idempotency_key: null } });
  const sign = (payload: string, opts: { secret?: string; timestamp?: number } = {}) =>
    Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET, timestamp: opts.timestamp ?? Math.floor(clock.now() / 1000) });

  it('verifies a signed event and types it', async () => {
    const payload = event('evt_1', 'payment_intent.succeeded', { id: 'pi_123', object: 'payment_intent' });
    const e = await provider.parseWebhook(payload, sign(payload));
    expect(e).toMatchObject({ id: 'evt_1', type: 'payment.captured', providerType: 'payment_intent.succeeded', objectId: 'pi_123', createdAt: Math.floor(START / 1000) * 1000 });
    const other = event('evt_2', 'customer.created', { id: 'cus_1', object: 'customer' });
    expect(await provider.parseWebhook(other, sign(other))).toMatchObject({ type: 'other', providerType: 'customer.created' });
  });

  it('refuses a wrong secret, a changed body, a missing header and a stale timestamp', async () => {
    const payload = event('evt_3', 'payment_intent.canceled', { id: 'pi_9' });
    const refused = { failure: 'invalid_signature', code: 'WEBHOOK_SIGNATURE_INVALID' };
    expect(await failure(provider.parseWebhook(payload, sign(payload, { secret: 'whsec_someone_else' })))).toMatchObject(refused);
    expect(await failure(provider.parseWebhook(payload.replace('pi_9', 'pi_8'), sign(payload)))).toMatchObject(refused);
    expect(await failure(provider.parseWebhook(payload, undefined))).toMatchObject(refused);
    // Signed 301 s before our clock's now: outside Stripe's 300 s tolerance (a captured request replayed later).
    const stale = sign(payload, { timestamp: Math.floor(clock.now() / 1000) - 301 });
    expect(await failure(provider.parseWebhook(payload, stale))).toMatchObject(refused);
    expect(await provider.parseWebhook(payload, sign(payload, { timestamp: Math.floor(clock.now() / 1000) - 299 }))).toMatchObject({ id: 'evt_3' });
  });
});
