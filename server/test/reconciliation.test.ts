import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconciliationReport } from '@shared/schemas/reconciliation';
import type { SlotRow } from '../domain/catalog-ports';
import { manualClock } from '../domain/clock';
import { expectStatus } from './harness';
import { completedBooking, PAY_BY_CARD, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';

/*
 * Reconciliation against real Postgres and the simulated processor: paid bookings whose three
 * records agree report nothing; differences injected by hand in each record are reported with the
 * three values, through the admin endpoint and the `holdfast_reconciliation_differences` gauge.
 * The database is shared with other test files, so only this file's bookings are looked at.
 */

// A fixed date far from other files' (the escrow release job looks at every booking in the database).
const clock = manualClock(Date.UTC(2031, 5, 2, 7, 0));
let es: EngineServer;
let ws: Awaited<ReturnType<typeof quickWorkshop>>;
let slots: SlotRow[];
let customer: Account;
let admin: Account;
let used = 0;

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false });
  ws = await quickWorkshop(es, { bays: 4, money: PAY_BY_CARD });
  slots = await es.server.services.stores.slots.list(ws.workshop.id, new Date(clock.now() + 86_400_000), new Date(clock.now() + 10 * 86_400_000));
  [customer] = (await quickAccounts(es.server, 1)) as [Account];
  [admin] = (await quickAccounts(es.server, 1, 'admin')) as [Account];
});
afterAll(() => es?.server.close());

const paid = async () => (await completedBooking(es, ws, customer, slots[used++ * 2]!.id, clock)).booking;
const sql = (text: string, values: unknown[]) => es.server.orm.em.fork().getConnection().execute(text, values);
const paymentIdOf = async (bookingId: string) => (await es.server.services.stores.bookingPayments.findBookingPayment(bookingId))!.paymentId!;

async function report(): Promise<ReconciliationReport> {
  return expectStatus(await es.api.typed(admin.token).GET('/api/v1/admin/reconciliation'), 200).report;
}
const about = (r: ReconciliationReport, ids: string[]) => r.differences.filter((d) => ids.includes(d.bookingId));

describe('money reconciliation', () => {
  it('reports nothing while the ledger, the payment row and the provider agree, and each injected difference once it is there', async () => {
    const [agreeing, providerOnly, paymentRow, ledgerOnly] = [await paid(), await paid(), await paid(), await paid()];
    const mine = [agreeing.id, providerOnly.id, paymentRow.id, ledgerOnly.id];
    const before = await report();
    expect(before.providerChecked).toBe(true);
    expect(about(before, mine)).toEqual([]);

    // The provider refunded 300 that we never recorded (a refund made in its dashboard, or a lost step).
    await sql('update simulated_payment set refunded = 300 where id = ?', [await paymentIdOf(providerOnly.id)]);
    // The payment row says more was refunded than the ledger and the provider know of.
    await sql('update booking_payment set refunded_minor = 100 where booking_id = ?', [paymentRow.id]);
    // The ledger has a second capture of the booking that neither the row nor the provider made.
    await es.server.services.ledger.captureFee({ bookingId: ledgerOnly.id, customerId: customer.id, currency: ledgerOnly.currency, amount: 250, processorFee: 0 });

    const after = await report();
    const pid = await paymentIdOf(providerOnly.id);
    expect(about(after, mine).sort((a, b) => mine.indexOf(a.bookingId) - mine.indexOf(b.bookingId))).toEqual([
      { bookingId: providerOnly.id, paymentId: pid, currency: providerOnly.currency, field: 'refunded', ledger: 0, payment: 0, provider: 300 },
      { bookingId: paymentRow.id, paymentId: await paymentIdOf(paymentRow.id), currency: paymentRow.currency, field: 'refunded', ledger: 0, payment: 100, provider: 0 },
      { bookingId: ledgerOnly.id, paymentId: await paymentIdOf(ledgerOnly.id), currency: ledgerOnly.currency, field: 'captured', ledger: ledgerOnly.priceCents + 250, payment: ledgerOnly.priceCents, provider: ledgerOnly.priceCents },
    ]);
    expect(after.checked).toBeGreaterThanOrEqual(4);

    // The gauge carries the last run's count (this database's other bookings included).
    const metrics = await (await fetch(`${es.server.url}/metrics`)).text();
    const gauge = Number(/^holdfast_reconciliation_differences (\d+)$/m.exec(metrics)?.[1]);
    expect(gauge).toBe(after.differences.length);
    expect(gauge).toBeGreaterThanOrEqual(3);
  });

  it('a booking with ledger money and no payment row is reported with the row missing', async () => {
    const b = await paid();
    await sql('delete from booking_payment where booking_id = ?', [b.id]);
    const d = about(await report(), [b.id]);
    expect(d).toEqual([
      { bookingId: b.id, paymentId: null, currency: b.currency, field: 'captured', ledger: b.priceCents, payment: null, provider: null },
      { bookingId: b.id, paymentId: null, currency: b.currency, field: 'refunded', ledger: 0, payment: null, provider: null },
    ]);
  });

  it('is for admins only', async () => {
    expect((await es.api.typed(customer.token).GET('/api/v1/admin/reconciliation')).response.status).toBe(403);
    expect((await es.api.typed(ws.vendor.token).GET('/api/v1/admin/reconciliation')).response.status).toBe(403);
    expect((await es.api.typed().GET('/api/v1/admin/reconciliation')).response.status).toBe(401);
  });
});
