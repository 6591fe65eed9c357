import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { PaymentError } from '../domain/payment-errors';
import { bookingPaymentKey } from '../domain/payment-keys';
import { ormConfig } from '../db/orm-config';
import { createPaymentProvider } from '../payments/payment-provider';
import { createSimulatedProvider } from '../payments/simulated-provider';
import { TEST_CARDS } from '@shared/payment-test-cards';
import { testEnv } from './harness';

/*
 * The simulated processor's own promises: its state is Postgres's, so it survives a restart and
 * every process sees one processor (two ORMs with their own pools stand for two processes), card
 * numbers as a person types them, and a configurable authorization lifetime on the injected clock.
 */

const START = Date.UTC(2027, 2, 27, 23, 0);
const HOUR = 3600_000;
const orms: MikroORM[] = [];
const clock = manualClock(START);

/** A processor as one process would build it: its own ORM and pool on the shared database. */
async function processor(ttlMs = 2 * HOUR) {
  const orm = await MikroORM.init(ormConfig(inject('databaseUrl')));
  orms.push(orm);
  return { orm, provider: createSimulatedProvider({ orm, clock, authorizationTtlMs: ttlMs }) };
}

let one: Awaited<ReturnType<typeof processor>>;
let two: Awaited<ReturnType<typeof processor>>;
beforeAll(async () => {
  one = await processor();
  two = await processor();
});
afterAll(() => Promise.all(orms.map((o) => o.close(true))));

const input = (bookingId: string, paymentMethod = '4242 4242 4242 4242') => ({
  idempotencyKey: bookingPaymentKey(bookingId, 'authorize'), amount: 3000, currency: 'gbp', customerId: 'c1', paymentMethod,
});

describe('simulated processor', () => {
  it('takes the documented test card numbers as typed (spaces, dashes) and refuses any other card', async () => {
    expect(TEST_CARDS.map((c) => c.number)).toEqual(expect.arrayContaining(['4242424242424242', '4000000000000002', '4000000000009995', '4000000000000119']));
    await expect(one.provider.authorize(input(randomUUID(), '4242-4242-4242-4242'))).resolves.toMatchObject({ status: 'authorized' });
    await expect(one.provider.authorize(input(randomUUID(), '4000 0000 0000 0002'))).rejects.toMatchObject({ failure: 'declined', declineCode: 'generic_decline' });
    await expect(one.provider.authorize(input(randomUUID(), '4000 0000 0000 9995'))).rejects.toMatchObject({ failure: 'insufficient_funds' });
    await expect(one.provider.authorize(input(randomUUID(), '4000 0000 0000 0119'))).rejects.toMatchObject({ failure: 'provider_unavailable', retryable: true });
    await expect(one.provider.authorize(input(randomUUID(), '4111 1111 1111 1111'))).rejects.toMatchObject({ failure: 'declined', declineCode: 'test_mode_live_card' });
  });

  it('stores nothing for a retryable failure: the key stays free for the retry', async () => {
    const id = randomUUID();
    await expect(one.provider.authorize(input(id, '4000 0000 0000 0119'))).rejects.toMatchObject({ failure: 'provider_unavailable' });
    const rows = await one.orm.em.fork().getConnection().execute('select 1 from simulated_payment_request where idempotency_key = ?', [bookingPaymentKey(id, 'authorize')]);
    expect(rows).toHaveLength(0);
    // The outage card would fail again; the same key with a working card (a different request) is not a conflict.
    await expect(one.provider.authorize(input(id))).resolves.toMatchObject({ replayed: false });
  });

  it('keeps its state across a restart: a new processor captures what the old one authorized', async () => {
    const id = randomUUID();
    const before = await processor();
    const a = await before.provider.authorize(input(id));
    await before.orm.close(true);
    const after = await processor();
    expect(await after.provider.authorize(input(id))).toEqual({ ...a, replayed: true });
    await expect(after.provider.capture({ idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId })).resolves.toMatchObject({ amountCaptured: 3000 });
  });

  it('is one processor for every process: the same key sent by two at once authorizes once', async () => {
    const id = randomUUID();
    const results = await Promise.all([one, two, one, two].map((p) => p.provider.authorize(input(id))));
    expect(new Set(results.map((r) => r.paymentId)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const rows = await one.orm.em.fork().getConnection().execute(`select id from simulated_payment where kind = 'payment' and data->>'customerId' = 'c1' and id = ?`, [results[0]!.paymentId]);
    expect(rows).toHaveLength(1);
  });

  it('captures once when two processes race to capture with different keys', async () => {
    const id = randomUUID();
    const a = await one.provider.authorize(input(id));
    const outcomes = await Promise.allSettled([
      one.provider.capture({ idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId }),
      two.provider.capture({ idempotencyKey: bookingPaymentKey(id, 'capture', { version: 2 }), paymentId: a.paymentId }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(PaymentError);
    expect(refused.reason).toMatchObject({ failure: 'invalid_state' });
  });

  it('lets an authorization lapse after its configured lifetime, by the injected clock', async () => {
    const id = randomUUID();
    const a = await one.provider.authorize(input(id));
    expect(a.expiresAt).toBe(clock.now() + 2 * HOUR);
    clock.advance(2 * HOUR - 1);
    const late = randomUUID();
    const b = await one.provider.authorize(input(late));
    clock.advance(1);
    await expect(one.provider.capture({ idempotencyKey: bookingPaymentKey(id, 'capture'), paymentId: a.paymentId })).rejects.toMatchObject({ failure: 'authorization_expired' });
    // Authorized a moment later: still capturable.
    await expect(one.provider.capture({ idempotencyKey: bookingPaymentKey(late, 'capture'), paymentId: b.paymentId })).resolves.toMatchObject({ status: 'captured' });
  });

  it('sends no webhooks, so it verifies none', async () => {
    await expect(one.provider.parseWebhook('{}', 't=1,v1=x')).rejects.toMatchObject({ failure: 'invalid_signature' });
  });

  it('is what the composition root builds by default, with SIMULATED_AUTHORIZATION_TTL_HOURS as its lifetime', async () => {
    const built = createPaymentProvider(testEnv({ SIMULATED_AUTHORIZATION_TTL_HOURS: '3' }), { orm: one.orm, clock });
    expect(built.name).toBe('simulated');
    expect((await built.authorize(input(randomUUID()))).expiresAt).toBe(clock.now() + 3 * HOUR);
    const stripe = createPaymentProvider(testEnv({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_PUBLISHABLE_KEY: 'pk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' }), { orm: one.orm, clock });
    expect(stripe.name).toBe('stripe');
  });
});
