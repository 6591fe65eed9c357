import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { createPayouts } from '../domain/money/payouts';
import { createPayoutRepository } from '../db/payout.repository';
import { createStripeProvider } from '../payments/stripe-provider';
import { startFakeStripe, type FakeStripe } from './fixtures/fake-stripe';
import { moneyAt, moneyBookings, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';

/*
 * Payouts in stripe mode against the local fake Stripe (fixtures/fake-stripe.ts): the first payout
 * opens the workshop's Connect account, each payout is one transfer to it under a key derived from
 * the payout id; a transfer Stripe could not answer stays pending and is retried with the same key;
 * a refused one fails the payout and reverses it in the ledger.
 */

const CUR = 'PYS';
const clock = manualClock();
let es: EngineServer;
let fake: FakeStripe;
let w: Awaited<ReturnType<typeof quickWorkshop>>;
let customer: Account;
let bookings: string[];
let payouts: ReturnType<typeof createPayouts>;

const payable = () => es.server.services.stores.ledger.balance({ kind: 'vendor_payable', ownerId: w.workshop.id }, CUR);
const transfers = () => fake.requests.filter((r) => r.path === '/v1/transfers');

async function earn(i: number, day: string, amount: number) {
  const m = moneyAt(es.server, clock);
  await m.capture(`${day}T01:00:00Z`, { bookingId: bookings[i]!, customerId: customer.id, currency: CUR, amount, fee: 0 });
  await m.release(`${day}T02:00:00Z`, { bookingId: bookings[i]!, workshopId: w.workshop.id, currency: CUR, commissionBps: 1000 });
}
const settle = (day: string) => {
  clock.set(Date.parse(`${day}T06:00:00Z`));
  return payouts.settle(day, { only: [w.workshop.id] });
};

beforeAll(async () => {
  es = await startEngineServer({ clock });
  fake = await startFakeStripe({ clock });
  w = await quickWorkshop(es);
  [customer] = (await quickAccounts(es.server, 1)) as [Account];
  bookings = await moneyBookings(es, w, customer, 3);
  const provider = createStripeProvider({ secretKey: 'sk_test_payouts', webhookSecret: 'whsec_test_payouts', apiBase: new URL(fake.url), clock, maxNetworkRetries: 0 });
  payouts = createPayouts({ store: createPayoutRepository(es.server.sql), provider, clock, config: { minimumMinor: 1000, hourUtc: 6, accountCountry: 'GB' } });
});
afterAll(async () => {
  await fake?.close();
  await es?.server.close();
});

describe('payouts in stripe mode', () => {
  it('opens the Connect account on the first payout, then transfers the balance to it under the payout-derived key', async () => {
    await earn(0, '2031-04-01', 5000);
    const { paid: [p] } = await settle('2031-04-01');
    const [account, transfer] = fake.requests;
    expect(fake.requests).toHaveLength(2);
    expect(account).toMatchObject({ method: 'POST', path: '/v1/accounts', idempotencyKey: `workshop:${w.workshop.id}:payout-account:v1` });
    expect(account!.params).toMatchObject({ type: 'express', country: 'GB', 'capabilities[transfers][requested]': 'true', 'metadata[workshop_id]': w.workshop.id });
    const acct = [...fake.accounts.keys()][0]!;
    expect(transfer).toMatchObject({ method: 'POST', path: '/v1/transfers', idempotencyKey: `payout:${p!.id}:transfer:v1` });
    expect(transfer!.params).toMatchObject({ amount: '4500', currency: 'pys', destination: acct, transfer_group: `payout:${p!.id}`, 'metadata[payout_id]': p!.id, 'metadata[period]': '2031-04-01' });
    expect(p).toMatchObject({ status: 'paid', amount: 4500, providerAccountId: acct, providerTransferId: fake.transfers[0]!.id });
    expect(await payable()).toBe(0);
  });

  it('a transfer Stripe failed to answer stays pending and the next run retries it with the same key, once', async () => {
    fake.requests.length = 0;
    await earn(1, '2031-04-02', 2000);
    fake.failNext(1, { status: 500, body: { error: { type: 'api_error', message: 'Something went wrong' } } });
    const first = await settle('2031-04-02');
    expect(first.pending.map((p) => [p.amount, p.status])).toEqual([[1800, 'pending']]);
    expect(await payable()).toBe(0); // posted: the money is on its way
    // Not while the first attempt could still be in flight elsewhere; five minutes on, with the same key.
    clock.set(Date.parse('2031-04-02T06:04:00Z'));
    expect((await payouts.settle('2031-04-02', { only: [w.workshop.id] })).paid).toEqual([]);
    clock.set(Date.parse('2031-04-02T06:05:01Z'));
    const retry = await payouts.settle('2031-04-02', { only: [w.workshop.id] });
    expect(retry.paid.map((p) => [p.id, p.status])).toEqual([[first.pending[0]!.id, 'paid']]);
    expect(transfers().map((r) => r.idempotencyKey)).toEqual([`payout:${first.pending[0]!.id}:transfer:v1`, `payout:${first.pending[0]!.id}:transfer:v1`]);
    // No second account: the one saved on the first payout is reused.
    expect(fake.requests.filter((r) => r.path === '/v1/accounts')).toEqual([]);
    expect(fake.transfers.filter((t) => t.amount === 1800)).toHaveLength(1);
  });

  it("a transfer Stripe refuses (the platform's balance is short) fails the payout and reverses it", async () => {
    await earn(2, '2031-04-03', 3000);
    fake.failNext(1, { status: 400, body: { error: { type: 'invalid_request_error', code: 'balance_insufficient', message: 'You have insufficient available funds in your Stripe account.' } } });
    const r = await settle('2031-04-03');
    expect(r.failed.map((p) => [p.amount, p.status, p.failureReason])).toEqual([[2700, 'failed', 'insufficient_funds: You have insufficient available funds in your Stripe account.']]);
    expect(await payable()).toBe(2700);
    expect(await es.server.services.stores.ledger.balance({ kind: 'vendor_payouts', ownerId: w.workshop.id }, CUR)).toBe(4500 + 1800);
  });
});
