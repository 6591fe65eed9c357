import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconciliationReport } from '@shared/schemas/reconciliation';
import type { SlotRow } from '../domain/catalog-ports';
import { manualClock } from '../domain/clock';
import { startFakeStripe, type FakeStripe } from './fixtures/fake-stripe';
import { expectStatus } from './harness';
import { completedBooking, PAY_BY_CARD, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';

/*
 * Reconciliation in stripe mode against the local fake Stripe: Stripe's own records of each
 * booking's PaymentIntent (amount received, and the charge's amount refunded) are read and compared
 * with the ledger and the booking's payment row. Paid bookings that agree report nothing; a refund
 * made in Stripe's dashboard, a capture Stripe has a different amount for and an intent Stripe does
 * not know are reported through the admin endpoint and the gauge. The database is shared with other
 * files, so only this file's bookings are looked at (other files' simulated payments are never
 * asked of Stripe).
 */

const clock = manualClock(Date.UTC(2031, 6, 7, 7, 0));
let fake: FakeStripe;
let es: EngineServer;
let ws: Awaited<ReturnType<typeof quickWorkshop>>;
let slots: SlotRow[];
let customer: Account;
let admin: Account;
let used = 0;

beforeAll(async () => {
  fake = await startFakeStripe({ clock });
  es = await startEngineServer({
    clock,
    sweepers: false,
    env: { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_reconcile', STRIPE_PUBLISHABLE_KEY: 'pk_test_reconcile', STRIPE_WEBHOOK_SECRET: 'whsec_reconcile', STRIPE_API_BASE: fake.url },
  });
  ws = await quickWorkshop(es, { bays: 4, money: PAY_BY_CARD });
  slots = await es.server.services.stores.slots.list(ws.workshop.id, new Date(clock.now() + 86_400_000), new Date(clock.now() + 10 * 86_400_000));
  [customer] = (await quickAccounts(es.server, 1)) as [Account];
  [admin] = (await quickAccounts(es.server, 1, 'admin')) as [Account];
});
afterAll(async () => {
  await es?.server.close();
  await fake?.close();
});

const paid = async () => (await completedBooking(es, ws, customer, slots[used++ * 2]!.id, clock)).booking;
const paymentIdOf = async (bookingId: string) => (await es.server.services.stores.bookingPayments.findBookingPayment(bookingId))!.paymentId!;
async function report(): Promise<ReconciliationReport> {
  return expectStatus(await es.api.typed(admin.token).GET('/api/v1/admin/reconciliation'), 200).report;
}
const about = (r: ReconciliationReport, ids: string[]) => r.differences.filter((d) => ids.includes(d.bookingId)).sort((a, b) => ids.indexOf(a.bookingId) - ids.indexOf(b.bookingId));

describe('money reconciliation against Stripe', () => {
  it("reads each intent from Stripe, and reports a dashboard refund, a different capture and a missing intent", async () => {
    const [agreeing, refundedAtStripe, capturedOther, missing] = [await paid(), await paid(), await paid(), await paid()];
    const mine = [agreeing.id, refundedAtStripe.id, capturedOther.id, missing.id];
    for (const b of [agreeing, refundedAtStripe, capturedOther, missing]) expect(fake.intents.get(await paymentIdOf(b.id))?.status).toBe('succeeded');

    fake.requests.length = 0;
    const before = await report();
    expect(before.providerChecked).toBe(true);
    expect(about(before, mine)).toEqual([]);
    // One read per intent of ours, with the charge expanded (what was refunded of it).
    const reads = fake.requests.filter((r) => r.method === 'GET');
    for (const b of [agreeing, refundedAtStripe, capturedOther, missing]) {
      const pid = await paymentIdOf(b.id);
      expect(reads.filter((r) => r.path === `/v1/payment_intents/${pid}`).map((r) => r.params)).toEqual([{ 'expand[0]': 'latest_charge' }]);
    }
    // Only stripe payments are asked about: every read is of an intent this fake made.
    expect(reads.every((r) => fake.intents.has(r.path.split('/').pop()!))).toBe(true);

    fake.intents.get(await paymentIdOf(refundedAtStripe.id))!.refunded = 300;
    fake.intents.get(await paymentIdOf(capturedOther.id))!.amount_received = capturedOther.priceCents - 1;
    fake.intents.delete(await paymentIdOf(missing.id));

    const after = await report();
    expect(about(after, mine)).toEqual([
      { bookingId: refundedAtStripe.id, paymentId: await paymentIdOf(refundedAtStripe.id), currency: refundedAtStripe.currency, field: 'refunded', ledger: 0, payment: 0, provider: 300 },
      { bookingId: capturedOther.id, paymentId: await paymentIdOf(capturedOther.id), currency: capturedOther.currency, field: 'captured', ledger: capturedOther.priceCents, payment: capturedOther.priceCents, provider: capturedOther.priceCents - 1 },
      { bookingId: missing.id, paymentId: await paymentIdOf(missing.id), currency: missing.currency, field: 'captured', ledger: missing.priceCents, payment: missing.priceCents, provider: null },
      { bookingId: missing.id, paymentId: await paymentIdOf(missing.id), currency: missing.currency, field: 'refunded', ledger: 0, payment: 0, provider: null },
    ]);
    const metrics = await (await fetch(`${es.server.url}/metrics`)).text();
    expect(Number(/^holdfast_reconciliation_differences (\d+)$/m.exec(metrics)?.[1])).toBe(after.differences.length);
  });

  it('Stripe unreachable: our two records are still compared, and the report says the provider was not checked', async () => {
    const b = await paid();
    await es.server.orm.em.fork().getConnection().execute('update booking_payment set refunded_minor = 100 where booking_id = ?', [b.id]);
    fake.failNext(50, { status: 500, body: { error: { type: 'api_error', message: 'Something went wrong' } } });
    const r = await report();
    expect(r.providerChecked).toBe(false);
    expect(about(r, [b.id])).toEqual([{ bookingId: b.id, paymentId: await paymentIdOf(b.id), currency: b.currency, field: 'refunded', ledger: 0, payment: 100, provider: null }]);
  });
});
