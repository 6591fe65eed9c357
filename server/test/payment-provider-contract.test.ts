import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { PaymentError } from '../domain/payment-errors';
import { bookingPaymentKey, providerIdempotencyKey } from '../domain/payment-keys';
import type { PaymentProvider } from '../domain/payment-ports';
import { ormConfig } from '../db/orm-config';
import { fakePaymentProvider } from '../domain/testing/fake-payments';
import { createSimulatedProvider } from '../payments/simulated-provider';
import { createStripeProvider, STRIPE_AUTHORIZATION_MS } from '../payments/stripe-provider';
import { startFakeStripe } from './fixtures/fake-stripe';

/*
 * The port's contract, run against both adapters: the simulated processor on this run's real
 * Postgres, and the Stripe adapter (the official SDK) against a local server playing Stripe's API;
 * and against the in-memory fake the domain's unit tests use, so it cannot drift from them.
 * All take the same test PaymentMethods and run on the same hand-moved clock.
 */

const START = Date.UTC(2027, 2, 27, 23, 0); // fixed, whatever today is
const DAY = 24 * 3600_000;

interface Subject {
  provider: PaymentProvider;
  advance(ms: number): void;
  close(): Promise<void>;
}

async function simulated(): Promise<Subject> {
  const clock = manualClock(START);
  const orm = await MikroORM.init(ormConfig(inject('databaseUrl')));
  return { provider: createSimulatedProvider({ orm, clock, authorizationTtlMs: 7 * DAY }), advance: clock.advance, close: () => orm.close(true) };
}

async function stripe(): Promise<Subject> {
  const clock = manualClock(START);
  const fake = await startFakeStripe({ clock });
  const provider = createStripeProvider({ secretKey: 'sk_test_contract', webhookSecret: 'whsec_contract', apiBase: new URL(fake.url), clock });
  return { provider, advance: clock.advance, close: fake.close };
}

/** The PaymentError a call fails with (the test fails if it succeeds or throws something else). */
async function failure(p: Promise<unknown>): Promise<PaymentError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(PaymentError);
  return err as PaymentError;
}

async function inMemory(): Promise<Subject> {
  const clock = manualClock(START);
  return { provider: fakePaymentProvider(clock, { authorizationTtlMs: 7 * DAY }), advance: clock.advance, close: async () => {} };
}

describe.each([
  ['simulated', 'simulated', simulated],
  ['stripe', 'stripe', stripe],
  ['in-memory fake (domain unit tests)', 'simulated', inMemory],
])('PaymentProvider contract: %s', (_label, name, make) => {
  let s: Subject;
  let p: PaymentProvider;
  beforeAll(async () => {
    s = await make();
    p = s.provider;
  });
  afterAll(() => s.close());

  const booking = () => randomUUID();
  const customerId = randomUUID();
  const authorize = (bookingId: string, paymentMethod = 'pm_card_visa', amount = 4500) =>
    p.authorize({ idempotencyKey: bookingPaymentKey(bookingId, 'authorize'), amount, currency: 'gbp', customerId, paymentMethod });

  it(`is named ${name}`, () => {
    expect(p.name).toBe(name);
  });

  it('authorizes an amount in minor units for capture later, with its expiry', async () => {
    const a = await authorize(booking());
    expect(a).toMatchObject({ amount: 4500, currency: 'gbp', status: 'authorized', replayed: false });
    expect(a.paymentId).toMatch(/^pi_/);
    expect(a.expiresAt).toBe(START + STRIPE_AUTHORIZATION_MS);
  });

  it('answers a repeated authorize (same key, same request) with the first answer and charges once', async () => {
    const id = booking();
    const first = await authorize(id);
    const again = await authorize(id);
    expect(again).toEqual({ ...first, replayed: true });
  });

  it('refuses the same key for a different request as an idempotency conflict', async () => {
    const id = booking();
    await authorize(id, 'pm_card_visa', 4500);
    const err = await failure(authorize(id, 'pm_card_visa', 9900));
    expect(err).toMatchObject({ failure: 'idempotency_conflict', code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
  });

  it('declines the decline card with its decline code, and replays the decline for the same key', async () => {
    const id = booking();
    const err = await failure(authorize(id, 'pm_card_chargeDeclined'));
    expect(err).toMatchObject({ failure: 'declined', declineCode: 'generic_decline', code: 'PAYMENT_DECLINED', retryable: false });
    expect(await failure(authorize(id, 'pm_card_chargeDeclined'))).toMatchObject({ failure: 'declined', declineCode: 'generic_decline' });
  });

  it('tells insufficient funds and an expired card apart from a plain decline', async () => {
    expect(await failure(authorize(booking(), 'pm_card_chargeDeclinedInsufficientFunds'))).toMatchObject({ failure: 'insufficient_funds', code: 'PAYMENT_INSUFFICIENT_FUNDS', declineCode: 'insufficient_funds' });
    expect(await failure(authorize(booking(), 'pm_card_chargeDeclinedExpiredCard'))).toMatchObject({ failure: 'declined', declineCode: 'expired_card' });
  });

  it('reports a processor outage as retryable with the same key (503 PAYMENT_PROVIDER_UNAVAILABLE)', async () => {
    const err = await failure(authorize(booking(), 'pm_card_chargeDeclinedProcessingError'));
    expect(err).toMatchObject({ failure: 'provider_unavailable', code: 'PAYMENT_PROVIDER_UNAVAILABLE', retryable: true });
    expect(err.retryAfterSec).toBeGreaterThan(0);
  });

  it('captures the whole authorization, once per key', async () => {
    const id = booking();
    const a = await authorize(id);
    const input = { idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId };
    const c = await p.capture(input);
    expect(c).toEqual({ paymentId: a.paymentId, amountCaptured: 4500, currency: 'gbp', status: 'captured', replayed: false });
    expect(await p.capture(input)).toEqual({ ...c, replayed: true });
    // Another key is another capture: the payment is already captured.
    const twice = await failure(p.capture({ idempotencyKey: bookingPaymentKey(id, 'capture', { version: 2 }), paymentId: a.paymentId }));
    expect(twice).toMatchObject({ failure: 'invalid_state', code: 'PAYMENT_STATE_CONFLICT' });
  });

  it('captures part of an authorization (e.g. a deposit or a fee), never more than authorized', async () => {
    const id = booking();
    const a = await authorize(id, 'pm_card_visa', 10_000);
    expect(await failure(p.capture({ idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId, amount: 10_001 }))).toMatchObject({ failure: 'invalid_state' });
    const c = await p.capture({ idempotencyKey: bookingPaymentKey(id, 'capture', { version: 2 }), paymentId: a.paymentId, amount: 2_500 });
    expect(c.amountCaptured).toBe(2_500);
  });

  it('voids an authorization, after which it cannot be captured', async () => {
    const id = booking();
    const a = await authorize(id);
    const v = await p.void({ idempotencyKey: bookingPaymentKey(id, 'void'), paymentId: a.paymentId });
    expect(v).toEqual({ paymentId: a.paymentId, status: 'voided', replayed: false });
    expect(await p.void({ idempotencyKey: bookingPaymentKey(id, 'void'), paymentId: a.paymentId })).toEqual({ ...v, replayed: true });
    expect(await failure(p.capture({ idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId }))).toMatchObject({ failure: 'invalid_state' });
  });

  it('refunds in parts up to what was captured, each refund once per key', async () => {
    const id = booking();
    const a = await authorize(id, 'pm_card_visa', 6_000);
    expect(await failure(p.refund({ idempotencyKey: bookingPaymentKey(id, 'refund', { ordinal: 1 }), paymentId: a.paymentId }))).toMatchObject({ failure: 'invalid_state' });
    await p.capture({ idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId, amount: 5_000 });
    const first = { idempotencyKey: bookingPaymentKey(id, 'refund', { ordinal: 2 }), paymentId: a.paymentId, amount: 1_500 };
    const r1 = await p.refund(first);
    expect(r1).toMatchObject({ paymentId: a.paymentId, amount: 1_500, currency: 'gbp', status: 'succeeded', replayed: false });
    expect(r1.refundId).toMatch(/^re_/);
    expect(await p.refund(first)).toEqual({ ...r1, replayed: true });
    expect(await failure(p.refund({ idempotencyKey: bookingPaymentKey(id, 'refund', { ordinal: 3 }), paymentId: a.paymentId, amount: 3_501 }))).toMatchObject({ failure: 'invalid_state' });
    // No amount: the rest of the capture.
    expect(await p.refund({ idempotencyKey: bookingPaymentKey(id, 'refund', { ordinal: 4 }), paymentId: a.paymentId })).toMatchObject({ amount: 3_500 });
    expect(await failure(p.refund({ idempotencyKey: bookingPaymentKey(id, 'refund', { ordinal: 5 }), paymentId: a.paymentId }))).toMatchObject({ failure: 'invalid_state' });
  });

  it('lets an authorization lapse: capturing after it expired is refused as expired', async () => {
    const id = booking();
    const a = await authorize(id);
    s.advance(7 * DAY + 60_000);
    const err = await failure(p.capture({ idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId }));
    expect(err).toMatchObject({ failure: 'authorization_expired', code: 'PAYMENT_AUTHORIZATION_EXPIRED', retryable: false });
    expect(await failure(p.void({ idempotencyKey: bookingPaymentKey(id, 'void'), paymentId: a.paymentId }))).toMatchObject({ failure: 'authorization_expired' });
  });

  it('knows no payment it never made', async () => {
    expect(await failure(p.capture({ idempotencyKey: bookingPaymentKey(booking(), 'capture'), paymentId: 'pi_unknown' }))).toMatchObject({ failure: 'not_found', code: 'NOT_FOUND' });
  });

  it('creates a connected account for a workshop and pays it out by transfer, once per key', async () => {
    const workshopId = randomUUID();
    const accountInput = { idempotencyKey: providerIdempotencyKey('workshop', workshopId, 'connect-account'), workshopId, country: 'GB', email: 'vendor@example.test' };
    const account = await p.createConnectedAccount(accountInput);
    expect(account.accountId).toMatch(/^acct_/);
    expect(await p.createConnectedAccount(accountInput)).toEqual({ ...account, replayed: true });

    const payoutId = randomUUID();
    const transferInput = { idempotencyKey: providerIdempotencyKey('payout', payoutId, 'transfer'), accountId: account.accountId, amount: 12_345, currency: 'gbp', transferGroup: payoutId };
    const t = await p.transfer(transferInput);
    expect(t).toMatchObject({ accountId: account.accountId, amount: 12_345, currency: 'gbp', replayed: false });
    expect(t.transferId).toMatch(/^tr_/);
    expect(await p.transfer(transferInput)).toEqual({ ...t, replayed: true });
    expect(await failure(p.transfer({ ...transferInput, idempotencyKey: providerIdempotencyKey('payout', randomUUID(), 'transfer'), accountId: 'acct_unknown' }))).toMatchObject({ failure: 'not_found' });
  });

  it('answers its own records of a payment for reconciliation: captured and refunded, null for one it never made', async () => {
    const id = booking();
    const a = await authorize(id);
    expect((await p.paymentRecords([a.paymentId])).get(a.paymentId)).toEqual({ paymentId: a.paymentId, currency: 'gbp', captured: 0, refunded: 0 });
    await p.capture({ idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId });
    await p.refund({ idempotencyKey: bookingPaymentKey(id, 'refund', { ordinal: 1 }), paymentId: a.paymentId, amount: 1000 });
    const records = await p.paymentRecords([a.paymentId, 'pi_unknown']);
    expect([...records]).toEqual([[a.paymentId, { paymentId: a.paymentId, currency: 'gbp', captured: 4500, refunded: 1000 }], ['pi_unknown', null]]);
  });

  it(`onboards a workshop's account ${name === 'stripe' ? "through the provider's hosted form" : 'at once'}`, async () => {
    const workshopId = randomUUID();
    const a = await p.createConnectedAccount({ idempotencyKey: providerIdempotencyKey('workshop', workshopId, 'payout-account'), workshopId, country: 'GB' });
    const hosted = name === 'stripe';
    expect(p.onboarding).toBe(hosted ? 'hosted' : 'instant');
    const flags = { detailsSubmitted: !hosted, chargesEnabled: !hosted, payoutsEnabled: !hosted };
    expect(a).toMatchObject(flags);
    expect(await p.retrieveAccount(a.accountId)).toEqual({ accountId: a.accountId, ...flags });
    const link = await p.accountLink({ accountId: a.accountId, returnUrl: 'https://holdfast.example/#/vendor/money', refreshUrl: 'https://holdfast.example/#/vendor/money' });
    if (hosted) expect(link.url).toMatch(/^https:\/\/connect\.stripe\.test\//);
    else expect(link.url).toBe('https://holdfast.example/#/vendor/money');
    expect(await failure(p.retrieveAccount('acct_unknown'))).toMatchObject({ failure: 'not_found' });
  });

  it('refuses a webhook whose signature does not verify', async () => {
    expect(await failure(p.parseWebhook('{"id":"evt_1","object":"event"}', 't=1,v1=00'))).toMatchObject({ failure: 'invalid_signature', code: 'WEBHOOK_SIGNATURE_INVALID' });
  });
});
