import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { createPayoutAccounts } from '../domain/money/payout-accounts';
import { createPayouts } from '../domain/money/payouts';
import { createPayoutRepository } from '../db/payout.repository';
import { createSimulatedProvider } from '../payments/simulated-provider';
import { createStripeProvider } from '../payments/stripe-provider';
import { startFakeStripe, type FakeStripe } from './fixtures/fake-stripe';
import { expectStatus } from './harness';
import { moneyAt, moneyBookings, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';

/*
 * Connect onboarding and payouts in stripe mode against the local fake Stripe
 * (fixtures/fake-stripe.ts). A workshop with no account is skipped by payouts (nothing opened,
 * nothing sent to Stripe); its owner opens a Connect account from the desk ("Set up payouts":
 * accounts.create + accountLinks.create) and is sent to Stripe's onboarding; the status comes back
 * by `account.updated` webhooks (older events never undo newer ones) and by reads while not
 * enabled; once payouts are enabled, each payout is one transfer to it under a key derived from
 * the payout id; a transfer Stripe could not answer stays pending and is retried with the same
 * key; a refused one fails the payout and reverses it in the ledger. Only the workshop's owner and
 * admins see or act on its account.
 */

const CUR = 'PYS';
const WEBHOOK_SECRET = 'whsec_payouts_connect';
const PUBLIC_URL = 'https://holdfast.example';
const clock = manualClock();
let es: EngineServer;
let fake: FakeStripe;
let w: Awaited<ReturnType<typeof quickWorkshop>>;
let other: Awaited<ReturnType<typeof quickWorkshop>>;
let customer: Account;
let admin: Account;
let bookings: string[];
let payouts: ReturnType<typeof createPayouts>;

const payable = () => es.server.services.stores.ledger.balance({ kind: 'vendor_payable', ownerId: w.workshop.id }, CUR);
const transfers = () => fake.requests.filter((r) => r.path === '/v1/transfers');
const path = (id: string) => ({ params: { path: { id } } });

async function earn(i: number, day: string, amount: number) {
  const m = moneyAt(es.server, clock);
  await m.capture(`${day}T01:00:00Z`, { bookingId: bookings[i]!, customerId: customer.id, currency: CUR, amount, fee: 0 });
  await m.release(`${day}T02:00:00Z`, { bookingId: bookings[i]!, workshopId: w.workshop.id, currency: CUR, commissionBps: 1000 });
}
/** Why the last `settle` left payouts pending (the unit swallows those errors and retries next run). */
let stillPending: unknown[] = [];
const settle = (day: string) => {
  clock.set(Date.parse(`${day}T06:00:00Z`));
  stillPending = [];
  return payouts.settle(day, { only: [w.workshop.id], onError: (err) => stillPending.push(err) });
};

/** Stripe delivering `account.updated` (signed with the endpoint's secret) to the server. */
async function accountUpdated(account: object, createdSec: number) {
  const payload = JSON.stringify({ id: `evt_${Math.random().toString(36).slice(2)}`, object: 'event', type: 'account.updated', created: createdSec, data: { object: account }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null } });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET, timestamp: Math.floor(clock.now() / 1000) });
  return es.api.call('POST', '/api/payments/webhooks/stripe', { raw: payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
}

beforeAll(async () => {
  fake = await startFakeStripe({ clock });
  es = await startEngineServer({
    clock,
    sweepers: false,
    env: { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_payouts', STRIPE_PUBLISHABLE_KEY: 'pk_test_payouts', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_BASE: fake.url, PUBLIC_URL },
  });
  [w, other] = [await quickWorkshop(es), await quickWorkshop(es)];
  [customer] = (await quickAccounts(es.server, 1)) as [Account];
  [admin] = (await quickAccounts(es.server, 1, 'admin')) as [Account];
  bookings = await moneyBookings(es, w, customer, 4);
  // The settlement unit with no SDK retries of its own, so a scripted failure reaches it.
  const provider = createStripeProvider({ secretKey: 'sk_test_payouts', webhookSecret: WEBHOOK_SECRET, apiBase: new URL(fake.url), clock, maxNetworkRetries: 0 });
  const store = createPayoutRepository(es.server.sql);
  const accounts = createPayoutAccounts({ store, provider, clock, access: { owned: async () => { throw new Error('unused'); }, findWorkshop: async () => null }, config: { accountCountry: 'GB', returnUrl: `${PUBLIC_URL}/#/vendor/money` } });
  payouts = createPayouts({ store, provider, clock, config: { minimumMinor: 1000, hourUtc: 6, accountCountry: 'GB' }, accounts });
  fake.requests.length = 0;
});
afterAll(async () => {
  await es?.server.close();
  await fake?.close();
});

describe('Connect onboarding and payouts in stripe mode', () => {
  it('skips a workshop with no Connect account: nothing opened, nothing sent to Stripe, the balance waits', async () => {
    await earn(0, '2031-04-01', 5000);
    const r = await settle('2031-04-01');
    expect([r.paid, r.failed, r.pending]).toEqual([[], [], []]);
    expect(r.skipped).toEqual([{ workshopId: w.workshop.id, currency: CUR, balance: 4500, reason: 'no_account' }]);
    expect(fake.requests).toEqual([]);
    expect(await payable()).toBe(4500);
    expect(await es.server.services.stores.payouts.list(w.workshop.id, 5)).toEqual([]);
    const view = expectStatus(await es.api.typed(w.vendor.token).GET('/api/v1/workshops/{id}/payout-account', path(w.workshop.id)), 200).account;
    expect(view).toMatchObject({ provider: 'stripe', state: 'none', accountId: null, payoutsEnabled: false });
  });

  it("only the workshop's owner and admins see or set up its account", async () => {
    const b = es.api.typed(other.vendor.token);
    expect((await b.GET('/api/v1/workshops/{id}/payout-account', path(w.workshop.id))).response.status).toBe(403);
    expect((await b.POST('/api/v1/workshops/{id}/payout-account/link', path(w.workshop.id))).response.status).toBe(403);
    expect((await es.api.typed(customer.token).POST('/api/v1/workshops/{id}/payout-account/link', path(w.workshop.id))).response.status).toBe(403);
    expect((await es.api.typed().GET('/api/v1/workshops/{id}/payout-account', path(w.workshop.id))).response.status).toBe(401);
    expect((await es.api.typed(admin.token).GET('/api/v1/workshops/{id}/payout-account', path('00000000-0000-4000-8000-000000000000'))).response.status).toBe(404);
    expectStatus(await es.api.typed(admin.token).GET('/api/v1/workshops/{id}/payout-account', path(w.workshop.id)), 200);
    expect(fake.requests).toEqual([]);
  });

  it('"Set up payouts" opens one Express account and answers a fresh onboarding link each time, back to the Money tab', async () => {
    const vendor = es.api.typed(w.vendor.token);
    const first = expectStatus(await vendor.POST('/api/v1/workshops/{id}/payout-account/link', path(w.workshop.id)), 200);
    const acct = [...fake.accounts.keys()][0]!;
    const [create, link] = fake.requests;
    expect(fake.requests.map((r) => [r.method, r.path])).toEqual([['POST', '/v1/accounts'], ['POST', '/v1/account_links']]);
    expect(create).toMatchObject({ idempotencyKey: `workshop:${w.workshop.id}:payout-account:v1` });
    expect(create!.params).toMatchObject({ type: 'express', country: 'GB', 'capabilities[transfers][requested]': 'true', 'metadata[workshop_id]': w.workshop.id });
    expect(link!.params).toEqual({ account: acct, type: 'account_onboarding', return_url: `${PUBLIC_URL}/#/vendor/money`, refresh_url: `${PUBLIC_URL}/#/vendor/money` });
    expect(first.url).toBe(fake.accountLinks[0]!.url);
    expect(first.account).toMatchObject({ state: 'incomplete', accountId: acct, detailsSubmitted: false, payoutsEnabled: false });

    // Again (the link expired, or the owner left half-way): the same account, a new link.
    fake.requests.length = 0;
    const again = expectStatus(await vendor.POST('/api/v1/workshops/{id}/payout-account/link', path(w.workshop.id)), 200);
    expect(fake.requests.map((r) => [r.method, r.path])).toEqual([['POST', '/v1/account_links']]);
    expect(again.url).not.toBe(first.url);
    expect(fake.accounts.size).toBe(1);
  });

  it('back from onboarding, the account is read from Stripe while not enabled; payouts skip it until payouts are enabled', async () => {
    const acct = [...fake.accounts.keys()][0]!;
    fake.onboard(acct, { details_submitted: true, charges_enabled: false, payouts_enabled: false });
    fake.requests.length = 0;
    const view = expectStatus(await es.api.typed(w.vendor.token).GET('/api/v1/workshops/{id}/payout-account', path(w.workshop.id)), 200).account;
    expect(fake.requests.map((r) => [r.method, r.path])).toEqual([['GET', `/v1/accounts/${acct}`]]);
    expect(view).toMatchObject({ state: 'pending', detailsSubmitted: true, payoutsEnabled: false });
    fake.requests.length = 0;
    const r = await settle('2031-04-02');
    expect(r.skipped).toEqual([{ workshopId: w.workshop.id, currency: CUR, balance: 4500, reason: 'payouts_not_enabled' }]);
    expect(transfers()).toEqual([]);
  });

  it('account.updated keeps the status: enabled by the newer event, an older event delivered late changes nothing', async () => {
    const acct = [...fake.accounts.keys()][0]!;
    const now = Math.floor(clock.now() / 1000);
    const enabled = fake.onboard(acct, { details_submitted: true, charges_enabled: true, payouts_enabled: true });
    expect((await accountUpdated({ ...enabled }, now)).status).toBe(200);
    expect((await accountUpdated({ ...enabled, charges_enabled: false, payouts_enabled: false }, now - 60)).status).toBe(200);
    // Another platform's account (not one of our workshops'): recorded, nothing changes.
    expect((await accountUpdated({ ...enabled, id: 'acct_someone_else' }, now)).status).toBe(200);
    const stored = await es.server.services.stores.payouts.account(w.workshop.id, 'stripe');
    expect(stored).toMatchObject({ accountId: acct, detailsSubmitted: true, chargesEnabled: true, payoutsEnabled: true, statusAt: new Date(now * 1000) });
    fake.requests.length = 0;
    const view = expectStatus(await es.api.typed(admin.token).GET('/api/v1/workshops/{id}/payout-account', path(w.workshop.id)), 200).account;
    expect(view.state).toBe('enabled');
    // Enabled: nothing to re-read from Stripe.
    expect(fake.requests).toEqual([]);
  });

  it('once enabled, the waiting balance is transferred to the account under the payout-derived key', async () => {
    const acct = [...fake.accounts.keys()][0]!;
    const r = await settle('2031-04-03');
    expect(r.pending, `left pending: ${stillPending.map(String).join('; ')}`).toEqual([]);
    const [p] = r.paid;
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/transfers']);
    const [transfer] = fake.requests;
    expect(transfer).toMatchObject({ method: 'POST', path: '/v1/transfers', idempotencyKey: `payout:${p!.id}:transfer:v1` });
    expect(transfer!.params).toMatchObject({ amount: '4500', currency: 'pys', destination: acct, transfer_group: `payout:${p!.id}`, 'metadata[payout_id]': p!.id, 'metadata[period]': '2031-04-03' });
    expect(p).toMatchObject({ status: 'paid', amount: 4500, providerAccountId: acct, providerTransferId: fake.transfers[0]!.id });
    expect(await payable()).toBe(0);
  });

  it('a transfer Stripe failed to answer stays pending and the next run retries it with the same key, once', async () => {
    fake.requests.length = 0;
    await earn(1, '2031-04-04', 2000);
    fake.failNext(1, { status: 500, body: { error: { type: 'api_error', message: 'Something went wrong' } } });
    const first = await settle('2031-04-04');
    expect(first.pending.map((p) => [p.amount, p.status])).toEqual([[1800, 'pending']]);
    expect(await payable()).toBe(0); // posted: the money is on its way
    // Not while the first attempt could still be in flight elsewhere; five minutes on, with the same key.
    clock.set(Date.parse('2031-04-04T06:04:00Z'));
    expect((await payouts.settle('2031-04-04', { only: [w.workshop.id] })).paid).toEqual([]);
    clock.set(Date.parse('2031-04-04T06:05:01Z'));
    // A process configured with another provider (the simulated one, after a change of config) never
    // finishes Stripe's transfer: "paying" it there would record money as sent that never left.
    const simulated = createPayouts({ store: createPayoutRepository(es.server.sql), provider: createSimulatedProvider({ orm: es.server.orm, clock, authorizationTtlMs: 7 * 86_400_000 }), clock, config: { minimumMinor: 1_000_000, hourUtc: 6, accountCountry: 'GB' }, accounts: { payable: async () => ({ accountId: 'acct_sim' }) } });
    expect(await simulated.settle('2031-04-04', { only: [w.workshop.id] })).toMatchObject({ paid: [], failed: [], pending: [] });
    const retry = await payouts.settle('2031-04-04', { only: [w.workshop.id] });
    expect(retry.paid.map((p) => [p.id, p.status])).toEqual([[first.pending[0]!.id, 'paid']]);
    expect(transfers().map((r) => r.idempotencyKey)).toEqual([`payout:${first.pending[0]!.id}:transfer:v1`, `payout:${first.pending[0]!.id}:transfer:v1`]);
    expect(fake.requests.filter((r) => r.path.startsWith('/v1/accounts'))).toEqual([]);
    expect(fake.transfers.filter((t) => t.amount === 1800)).toHaveLength(1);
  });

  it("a transfer Stripe refuses (the platform's balance is short) fails the payout and reverses it", async () => {
    await earn(2, '2031-04-05', 3000);
    fake.failNext(1, { status: 400, body: { error: { type: 'invalid_request_error', code: 'balance_insufficient', message: 'You have insufficient available funds in your Stripe account.' } } });
    const r = await settle('2031-04-05');
    expect(r.failed.map((p) => [p.amount, p.status, p.failureReason])).toEqual([[2700, 'failed', 'insufficient_funds: You have insufficient available funds in your Stripe account.']]);
    expect(await payable()).toBe(2700);
    expect(await es.server.services.stores.ledger.balance({ kind: 'vendor_payouts', ownerId: w.workshop.id }, CUR)).toBe(4500 + 1800);
  });
});
