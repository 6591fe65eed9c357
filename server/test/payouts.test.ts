import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { createPayouts } from '../domain/money/payouts';
import { createPayoutRepository } from '../db/payout.repository';
import { expectStatus } from './harness';
import { moneyAt, moneyBookings, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';

/*
 * Daily settlement, the vendor's Money view and statement, and the admins' finance figures, with
 * known answers: movements are posted through the ledger's domain functions at fixed instants
 * (the server's clock), in a currency no other test uses, then settled by hand (`only` these
 * workshops: every test file shares the database). Commission is the default 10 %.
 *
 * Workshop A: b1 100.00, b2 50.00, b3 20.00 and b4 40.00 captured on 10 March; b1 and b2 released
 * on 11 March (payable 90.00 + 45.00), 20.00 of b2 refunded after release (18.00 from the
 * payable, 2.00 of commission), 5.00 of b3 refunded from escrow; paid out 117.00 on 12 March at
 * 06:30; b3's remaining 15.00 released at 08:00 (payable 13.50); b4 stays in escrow.
 * Workshop B: b5 30.00 captured and released (payable 27.00), its payout account gone: the
 * transfer is refused, the payout fails and the money is B's payable again.
 */

const CUR = 'PYA';
const clock = manualClock();
let es: EngineServer;
let a: Awaited<ReturnType<typeof quickWorkshop>>;
let b: Awaited<ReturnType<typeof quickWorkshop>>;
let customer: Account;
let admin: Account;
let bookings: string[];
let bBooking: string;

const payable = (workshopId: string) => es.server.services.stores.ledger.balance({ kind: 'vendor_payable', ownerId: workshopId }, CUR);
const settle = (at: string, only = [a.workshop.id, b.workshop.id]) => {
  clock.set(Date.parse(at));
  return es.server.services.payouts.settle(at.slice(0, 10), { only });
};

beforeAll(async () => {
  es = await startEngineServer({ clock });
  [a, b] = [await quickWorkshop(es), await quickWorkshop(es)];
  [[customer], [admin]] = [await quickAccounts(es.server, 1), await quickAccounts(es.server, 1, 'admin')] as [[Account], [Account]];
  // A service name a spreadsheet would take for a formula, with a comma and quotes.
  expectStatus(await es.api.typed(a.vendor.token).PATCH('/api/v1/workshops/{id}/services/{serviceId}', { params: { path: { id: a.workshop.id, serviceId: a.service.id } }, body: { name: '=Brakes, "front"' } }), 200);
  bookings = await moneyBookings(es, a, customer, 4);
  bBooking = (await moneyBookings(es, b, customer, 1))[0]!;

  const m = moneyAt(es.server, clock);
  const [b1, b2, b3, b4] = bookings as [string, string, string, string];
  const cap = (at: string, bookingId: string, amount: number, fee: number) => m.capture(at, { bookingId, customerId: customer.id, currency: CUR, amount, fee });
  const rel = (at: string, bookingId: string, workshopId = a.workshop.id) => m.release(at, { bookingId, workshopId, currency: CUR, commissionBps: 1000 });
  await cap('2031-03-10T09:00:00Z', b1, 10_000, 200);
  await cap('2031-03-10T09:10:00Z', b2, 5000, 100);
  await cap('2031-03-10T09:20:00Z', b3, 2000, 50);
  await cap('2031-03-10T09:30:00Z', b4, 4000, 80);
  await cap('2031-03-10T09:40:00Z', bBooking, 3000, 60);
  await rel('2031-03-11T10:00:00Z', b1);
  await rel('2031-03-11T11:00:00Z', b2);
  await rel('2031-03-11T11:30:00Z', bBooking, b.workshop.id);
  await m.refund('2031-03-11T12:00:00Z', { bookingId: b2, workshopId: a.workshop.id, currency: CUR, amount: 2000, key: 'r1' });
  await m.refund('2031-03-11T12:10:00Z', { bookingId: b3, workshopId: a.workshop.id, currency: CUR, amount: 500, key: 'r1' });
  // B's payout account at the simulated processor no longer exists: its transfer is refused.
  await es.server.services.stores.payouts.saveAccount(b.workshop.id, 'simulated', 'acct_sim_closed', { detailsSubmitted: true, chargesEnabled: true, payoutsEnabled: true }, new Date(clock.now()));
});
afterAll(() => es?.server.close());

describe('daily settlement', () => {
  it('before the run, A owes 117.00 and B 27.00; the run pays A all of it, once, even when two processes settle at once', async () => {
    expect([await payable(a.workshop.id), await payable(b.workshop.id)]).toEqual([11_700, 2700]);
    // A second process: its own settlement unit on the same database and provider.
    const other = createPayouts({ store: createPayoutRepository(es.server.sql), provider: es.server.services.payments.provider, clock, config: es.server.services.payouts.config, accounts: es.server.services.payoutAccounts });
    clock.set(Date.parse('2031-03-12T06:30:00Z'));
    const only = [a.workshop.id, b.workshop.id];
    const [r1, r2] = await Promise.all([es.server.services.payouts.settle('2031-03-12', { only }), other.settle('2031-03-12', { only })]);
    const paid = [...r1.paid, ...r2.paid];
    expect(paid.map((p) => [p.workshopId, p.amount, p.status, p.period])).toEqual([[a.workshop.id, 11_700, 'paid', '2031-03-12']]);
    expect(paid[0]!.providerTransferId).toMatch(/^tr_sim_/);
    expect(await payable(a.workshop.id)).toBe(0);
    expect(await es.server.services.stores.ledger.balance({ kind: 'vendor_payouts', ownerId: a.workshop.id }, CUR)).toBe(11_700);
  });

  it("B's refused transfer fails the payout with the provider's reason and puts the money back in B's payable", async () => {
    const [failed] = (await es.server.services.stores.payouts.list(b.workshop.id, 5));
    expect(failed).toMatchObject({ status: 'failed', amount: 2700, period: '2031-03-12', providerTransferId: null });
    expect(failed!.failureReason).toMatch(/^not_found: .*acct_sim_closed/);
    expect(await payable(b.workshop.id)).toBe(2700);
    expect(await es.server.services.stores.ledger.balance({ kind: 'vendor_payouts', ownerId: b.workshop.id }, CUR)).toBe(0);
  });

  it('running the day again opens nothing, even once more money is released; the next day pays it', async () => {
    await moneyAt(es.server, clock).release('2031-03-12T08:00:00Z', { bookingId: bookings[2]!, workshopId: a.workshop.id, currency: CUR, commissionBps: 1000 });
    expect(await payable(a.workshop.id)).toBe(1350);
    const again = await settle('2031-03-12T09:00:00Z', [a.workshop.id]);
    expect([again.paid, again.failed, again.pending, again.skipped]).toEqual([[], [], [], []]);
    expect(await payable(a.workshop.id)).toBe(1350);
  });

  it('a balance below PAYOUT_MINIMUM_MINOR waits', async () => {
    const small = createPayouts({ store: createPayoutRepository(es.server.sql), provider: es.server.services.payments.provider, clock, config: { ...es.server.services.payouts.config, minimumMinor: 1351 }, accounts: es.server.services.payoutAccounts });
    clock.set(Date.parse('2031-03-13T07:00:00Z'));
    const r = await small.settle('2031-03-13', { only: [a.workshop.id] });
    expect(r.paid).toEqual([]);
    expect(await payable(a.workshop.id)).toBe(1350);
  });
});

describe("the vendor's money view and statement", () => {
  it('shows the balance, the next payout with its estimate, the totals and the payouts', async () => {
    clock.set(Date.parse('2031-03-12T09:00:00Z'));
    const money = expectStatus(await es.api.typed(a.vendor.token).GET('/api/v1/workshops/{id}/money', { params: { path: { id: a.workshop.id } } }), 200).money;
    expect(money).toMatchObject({ workshopId: a.workshop.id, minimumPayout: 1000, payoutHourUtc: 6 });
    expect(money.currencies).toEqual([{
      currency: CUR, balance: 1350, nextPayout: { at: '2031-03-13T06:00:00.000Z', estimate: 1350 },
      totals: { gross: 16_500, commission: 1450, refunded: 2000, net: 13_050, paidOut: 11_700 },
    }]);
    expect(money.payouts.map((p) => [p.amount, p.status, p.period, p.settledAt])).toEqual([[11_700, 'paid', '2031-03-12', '2031-03-12T06:30:00.000Z']]);
  });

  it('downloads a CSV statement: opening balance, each movement with gross, commission, net and running balance, escaped', async () => {
    const res = await fetch(`${es.server.url}/api/v1/workshops/${a.workshop.id}/money/statement.csv?from=2031-03-11&to=2031-03-12`, { headers: { authorization: `Bearer ${a.vendor.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="statement-2031-03-11-to-2031-03-12.csv"');
    const [b1, b2, b3] = bookings as [string, string, string];
    const service = `"'=Brakes, ""front"""`;
    expect((await res.text()).split('\r\n')).toEqual([
      'date,currency,booking,service,kind,gross,commission,net,balance',
      `2031-03-11T10:00:00.000Z,${CUR},${b1},${service},release,100.00,10.00,90.00,90.00`,
      `2031-03-11T11:00:00.000Z,${CUR},${b2},${service},release,50.00,5.00,45.00,135.00`,
      `2031-03-11T12:00:00.000Z,${CUR},${b2},${service},refund,-20.00,-2.00,-18.00,117.00`,
      `2031-03-12T06:30:00.000Z,${CUR},,,payout,-117.00,0.00,-117.00,0.00`,
      `2031-03-12T08:00:00.000Z,${CUR},${b3},${service},release,15.00,1.50,13.50,13.50`,
      '',
    ]);
    // A later range starts with the balance carried over.
    const later = await fetch(`${es.server.url}/api/v1/workshops/${a.workshop.id}/money/statement.csv?from=2031-03-12&to=2031-03-12`, { headers: { authorization: `Bearer ${a.vendor.token}` } });
    expect((await later.text()).split('\r\n').slice(1, 3)).toEqual([
      `2031-03-12T00:00:00.000Z,${CUR},,,opening_balance,0.00,0.00,0.00,117.00`,
      `2031-03-12T06:30:00.000Z,${CUR},,,payout,-117.00,0.00,-117.00,0.00`,
    ]);
  });

  it("the owner of A never sees B's money; customers cannot; admins can; signed-out callers get 401", async () => {
    const money = (token: string | undefined, id: string) => es.api.get(`/api/v1/workshops/${id}/money`, token);
    const csv = (token: string | undefined, id: string) => es.api.get(`/api/v1/workshops/${id}/money/statement.csv`, token);
    for (const r of [await money(a.vendor.token, b.workshop.id), await csv(a.vendor.token, b.workshop.id), await money(customer.token, a.workshop.id), await csv(customer.token, a.workshop.id)]) {
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    expect((await money(undefined, a.workshop.id)).status).toBe(401);
    expect((await money(admin.token, b.workshop.id)).body.money.currencies[0]).toMatchObject({ currency: CUR, balance: 2700 });
    expect((await money(admin.token, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('refuses bad dates and ranges with 400', async () => {
    for (const q of ['from=2031-13-01', 'to=yesterday', 'from=2031-03-12&to=2031-03-11', 'from=2030-01-01&to=2031-03-12', 'from=1999-01-01', 'extra=1']) {
      const r = await es.api.get(`/api/v1/workshops/${a.workshop.id}/money/statement.csv?${q}`, a.vendor.token);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect((await es.api.get(`/api/v1/admin/finance?${q}`, admin.token)).status, q).toBe(400);
    }
  });
});

describe("the admins' finance figures", () => {
  it('GMV, commission, take rate, fees, refunds, escrow and payouts over 10–12 March', async () => {
    clock.set(Date.parse('2031-03-12T09:00:00Z'));
    const finance = expectStatus(await es.api.typed(admin.token).GET('/api/v1/admin/finance', { params: { query: { from: '2031-03-10', to: '2031-03-12' } } }), 200).finance;
    expect(finance.from).toBe('2031-03-10');
    expect(finance.currencies.find((c) => c.currency === CUR)).toEqual({
      currency: CUR,
      gmv: 24_000,
      // 10.00 + 5.00 + 3.00 + 1.50 at release, less 2.00 returned with b2's refund.
      commission: 1750,
      takeRateBps: 729,
      processorFees: 490,
      refunds: 2500,
      // Only b4 is still held.
      escrowBalance: 4000,
      payouts: { due: { count: 2, amount: 4050 }, pending: { count: 0, amount: 0 }, paid: { count: 1, amount: 11_700 }, failed: { count: 1, amount: 2700 } },
    });
  });

  it('a range before the money moved has only the escrow it started with; vendors and customers are refused', async () => {
    const early = expectStatus(await es.api.typed(admin.token).GET('/api/v1/admin/finance', { params: { query: { from: '2031-03-01', to: '2031-03-09' } } }), 200).finance;
    expect(early.currencies.find((c) => c.currency === CUR)).toMatchObject({ gmv: 0, commission: 0, takeRateBps: null, escrowBalance: 0, payouts: { paid: { count: 0, amount: 0 } } });
    for (const who of [a.vendor, customer]) expect((await es.api.get('/api/v1/admin/finance', who.token)).status).toBe(403);
  });
});
