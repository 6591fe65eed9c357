import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotRow } from '../domain/catalog-ports';
import { manualClock } from '../domain/clock';
import { ORPHAN_AFTER_MS } from '../domain/money/confirm-payment';
import { startFakeStripe, type FakeStripe } from './fixtures/fake-stripe';
import { expectStatus, useOwnDatabase } from './harness';
import { dayOfSlots, holdAs, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';

/*
 * 3-D Secure at confirm, with both adapters on real Postgres and Redis: when the card's bank asks
 * the customer to authenticate, the confirm answers 402 PAYMENT_REQUIRES_ACTION with the client
 * secret, books nothing and keeps the hold; once the check is done (Stripe.js's handleNextAction
 * against the fake Stripe here, the simulated bank check route in simulated mode) the same confirm
 * sent again books with the same payment: one authorization, never two. A failed check is a
 * decline; a check never done is voided by the orphan sweep.
 */

const clock = manualClock(Date.parse('2027-04-05T07:00:00Z'));
// A database of its own: the orphaned-payment sweep below runs at a 2027 clock, which on the
// shared database would void other files' confirms in flight.
const database = useOwnDatabase('confirm_3ds');
const THREE_DS = '4000 0027 6000 3184';
const full = { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 0 } as const;

let fake: FakeStripe;
let sim: EngineServer;
let str: EngineServer;
let customer: { sim: Account; str: Account };
const shops = new Map<EngineServer, { w: Awaited<ReturnType<typeof quickWorkshop>>; day: SlotRow[]; next: number }>();

beforeAll(async () => {
  fake = await startFakeStripe({ clock });
  [sim, str] = await Promise.all([
    startEngineServer({ clock, sweepers: false, env: { DATABASE_URL: database() } }),
    startEngineServer({ clock, sweepers: false, env: { DATABASE_URL: database(), PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_3ds', STRIPE_PUBLISHABLE_KEY: 'pk_test_3ds', STRIPE_WEBHOOK_SECRET: 'whsec_3ds', STRIPE_API_BASE: fake.url } }),
  ]);
  for (const es of [sim, str]) {
    const w = await quickWorkshop(es, { bays: 1, money: full });
    shops.set(es, { w, day: await dayOfSlots(es.server, w.workshop.id, clock.now(), 3), next: 0 });
  }
  customer = { sim: (await quickAccounts(sim.server, 1))[0]!, str: (await quickAccounts(str.server, 1))[0]! };
});
afterAll(async () => {
  await Promise.all([sim?.server.close(), str?.server.close()]);
  await fake?.close();
});

async function hold(es: EngineServer, who: Account) {
  const s = shops.get(es)!;
  return holdAs(es, s.w, who, s.day[s.next++]!.id);
}
const confirm = (es: EngineServer, who: Account, holdId: string, paymentMethod: string, key: string) =>
  es.api.typed(who.token).POST('/api/v1/bookings', { body: { holdId, paymentMethod }, headers: { 'Idempotency-Key': key } });
const holdsOf = async (es: EngineServer, who: Account) => expectStatus(await es.api.typed(who.token).GET('/api/v1/holds'), 200).holds.map((h) => h.id);
const bookingsOf = async (es: EngineServer, who: Account) => expectStatus(await es.api.typed(who.token).GET('/api/v1/bookings'), 200).bookings;
const authenticate = (es: EngineServer, who: Account, clientSecret: string, approve: boolean) =>
  es.api.typed(who.token).POST('/api/v1/payments/simulated/authenticate', { body: { clientSecret, approve } });
const simRows = (paymentId: string) =>
  sim.server.orm.em.fork().getConnection().execute<Array<{ status: string; amount: number }>>(`select status, amount from simulated_payment where id = ?`, [paymentId]);

interface ActionDetails { failure: string; paymentId: string; clientSecret: string }
async function requiresAction(res: Awaited<ReturnType<typeof confirm>>): Promise<ActionDetails> {
  expect(res.response.status).toBe(402);
  const error = (res.error as { error: { code: string; details: ActionDetails } }).error;
  expect(error.code).toBe('PAYMENT_REQUIRES_ACTION');
  expect(error.details.clientSecret.startsWith(`${error.details.paymentId}_secret_`)).toBe(true);
  return error.details;
}

describe('3-D Secure at confirm: simulated processor', () => {
  it('asks for the check, books nothing and keeps the hold; after the check the same confirm books with the same payment', async () => {
    const who = customer.sim;
    const holdId = await hold(sim, who);
    const first = await requiresAction(await confirm(sim, who, holdId, THREE_DS, 'k-sim-1'));
    expect(await bookingsOf(sim, who)).toEqual([]);
    expect(await holdsOf(sim, who)).toContain(holdId);
    expect(await simRows(first.paymentId)).toEqual([{ status: 'requires_action', amount: 5000 }]);

    // Before the check, sending the confirm again asks again (the same payment, nothing new).
    expect(await requiresAction(await confirm(sim, who, holdId, THREE_DS, 'k-sim-1'))).toEqual(first);
    // Only the customer whose payment it is can answer its check.
    const [stranger] = await quickAccounts(sim.server, 1);
    expect((await authenticate(sim, stranger!, first.clientSecret, true)).response.status).toBe(404);
    expect((await authenticate(sim, who, `${first.paymentId}_secret_0000`, true)).response.status).toBe(404);

    expectStatus(await authenticate(sim, who, first.clientSecret, true), 200);
    // Answered once: a second answer is a state conflict.
    expect((await authenticate(sim, who, first.clientSecret, true)).response.status).toBe(409);
    const booked = expectStatus(await confirm(sim, who, holdId, THREE_DS, 'k-sim-1'), 201).booking;
    const payment = await sim.server.services.bookingPayments.store.findBookingPayment(booked.id);
    expect(payment).toMatchObject({ paymentId: first.paymentId, status: 'authorized', authorized: 5000 });
    expect(await simRows(first.paymentId)).toEqual([{ status: 'authorized', amount: 5000 }]);
    const payments = await sim.server.orm.em.fork().getConnection().execute<Array<{ n: string }>>(`select count(*)::text as n from simulated_payment where kind = 'payment' and data->'metadata'->>'holdId' = ?`, [holdId]);
    expect(payments).toEqual([{ n: '1' }]);
    expect(await holdsOf(sim, who)).not.toContain(holdId);
  });

  it('a failed check is a decline, and the hold is still kept', async () => {
    const who = customer.sim;
    const holdId = await hold(sim, who);
    const d = await requiresAction(await confirm(sim, who, holdId, THREE_DS, 'k-sim-2'));
    expectStatus(await authenticate(sim, who, d.clientSecret, false), 200);
    const res = await confirm(sim, who, holdId, THREE_DS, 'k-sim-2');
    expect(res.response.status).toBe(402);
    expect((res.error as { error: { code: string; details: { declineCode: string } } }).error).toMatchObject({ code: 'PAYMENT_DECLINED', details: { declineCode: 'authentication_failed' } });
    expect(await holdsOf(sim, who)).toContain(holdId);
    // Another card on the same hold books.
    expectStatus(await confirm(sim, who, holdId, '4242424242424242', 'k-sim-2b'), 201);
  });

  it('a check never done is voided by the orphan sweep', async () => {
    const who = customer.sim;
    const holdId = await hold(sim, who);
    const d = await requiresAction(await confirm(sim, who, holdId, THREE_DS, 'k-sim-3'));
    clock.advance(ORPHAN_AFTER_MS + 60_000);
    await sim.server.services.bookingPayments.confirm.sweepOrphans();
    expect(await simRows(d.paymentId)).toEqual([{ status: 'voided', amount: 5000 }]);
  });

  it('the simulated check does not exist in stripe mode', async () => {
    expect((await authenticate(str, customer.str, 'pi_x_secret_y', true)).response.status).toBe(404);
  });
});

describe('3-D Secure at confirm: Stripe', () => {
  it('answers requires_action with the intent\'s client secret; after handleNextAction the same confirm books the same intent', async () => {
    const who = customer.str;
    const holdId = await hold(str, who);
    fake.requests.length = 0;
    const d = await requiresAction(await confirm(str, who, holdId, 'pm_card_authenticationRequired', 'k-str-1'));
    const pi = fake.intents.get(d.paymentId)!;
    expect(pi.status).toBe('requires_action');
    expect(d.clientSecret).toBe(pi.client_secret);
    const [create] = fake.requests;
    expect(create!.params).toMatchObject({ payment_method: 'pm_card_authenticationRequired', capture_method: 'manual', confirm: 'true', use_stripe_sdk: 'true' });
    expect(await bookingsOf(str, who)).toEqual([]);
    expect(await holdsOf(str, who)).toContain(holdId);

    // Stripe.js in the page: the customer passes the bank's check.
    fake.authenticate(d.paymentId, true);
    fake.requests.length = 0;
    const booked = expectStatus(await confirm(str, who, holdId, 'pm_card_authenticationRequired', 'k-str-1'), 201).booking;
    // The same key replays Stripe's first answer; the intent is read again and is now held for capture.
    expect(fake.requests.map((r) => [r.method, r.path.replace(d.paymentId, ':id'), r.idempotencyKey ?? null])).toEqual([
      ['POST', '/v1/payment_intents', create!.idempotencyKey],
      ['GET', '/v1/payment_intents/:id', null],
    ]);
    expect(fake.intents.size).toBe(1);
    expect(await str.server.services.bookingPayments.store.findBookingPayment(booked.id)).toMatchObject({ paymentId: d.paymentId, status: 'authorized', authorized: 5000 });
  });

  it('a failed check is a decline; the hold is kept', async () => {
    const who = customer.str;
    const holdId = await hold(str, who);
    const d = await requiresAction(await confirm(str, who, holdId, 'pm_card_authenticationRequired', 'k-str-2'));
    fake.authenticate(d.paymentId, false);
    const res = await confirm(str, who, holdId, 'pm_card_authenticationRequired', 'k-str-2');
    expect(res.response.status).toBe(402);
    expect((res.error as { error: { code: string; details: { declineCode: string } } }).error).toMatchObject({ code: 'PAYMENT_DECLINED', details: { declineCode: 'payment_intent_authentication_failure' } });
    expect(await holdsOf(str, who)).toContain(holdId);
  });
});
