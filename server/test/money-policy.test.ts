import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from './harness';
import { bookAs, dayOfSlots, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';

/*
 * GET/PUT /api/v1/workshops/{id}/money-policy and the admin's commission overrides: who may read
 * and write, what bad input answers, and the ledger's imbalance gauge on /metrics.
 */

let es: EngineServer;
let a: Awaited<ReturnType<typeof quickWorkshop>>;
let b: Awaited<ReturnType<typeof quickWorkshop>>;
let customer: Account;
let admin: Account;

beforeAll(async () => {
  es = await startEngineServer({ env: { COMMISSION_DEFAULT_BPS: '1200', DISPUTE_WINDOW_HOURS: '48' } });
  [a, b] = [await quickWorkshop(es, { money: 'default' }), await quickWorkshop(es, { money: 'default' })];
  [[customer], [admin]] = [await quickAccounts(es.server, 1), await quickAccounts(es.server, 1, 'admin')] as [[Account], [Account]];
});
afterAll(() => es?.server.close());

const policyOf = (token: string, id: string) => es.api.typed(token).GET('/api/v1/workshops/{id}/money-policy', { params: { path: { id } } });
const put = (token: string, id: string, body: unknown) => es.api.put(`/api/v1/workshops/${id}/money-policy`, body, token);

describe('workshop money policy', () => {
  it('an owner reads the defaults until it sets a policy, with the platform commission and dispute window from config', async () => {
    const policy = expectStatus(await policyOf(a.vendor.token, a.workshop.id), 200).policy;
    expect(policy).toEqual({
      workshopId: a.workshop.id, paymentMode: 'full', depositBps: null, freeCancelHours: 24, lateCancelFeeBps: 0, noShowFeeBps: 0,
      commission: { platformDefaultBps: 1200, workshopBps: null, categoryBps: {} }, disputeWindowHours: 48, updatedAt: null,
    });
  });

  it('the owner sets a deposit policy and reads it back; admins may read it', async () => {
    const body = { paymentMode: 'deposit', depositBps: 2500, freeCancelHours: 48, lateCancelFeeBps: 5000, noShowFeeBps: 10_000 };
    const res = await put(a.vendor.token, a.workshop.id, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.policy).toMatchObject(body);
    expect(res.body.policy.updatedAt).toEqual(expect.any(String));
    expect(expectStatus(await policyOf(admin.token, a.workshop.id), 200).policy).toMatchObject(body);
    // Switching to full prepayment drops the deposit rate.
    const full = await put(a.vendor.token, a.workshop.id, { paymentMode: 'full', freeCancelHours: 12, lateCancelFeeBps: 2000, noShowFeeBps: 3000 });
    expect(full.body.policy).toMatchObject({ paymentMode: 'full', depositBps: null, freeCancelHours: 12 });
  });

  it('pay-at-the-workshop takes no fees (defaults to 0, refuses more)', async () => {
    const ok = await put(b.vendor.token, b.workshop.id, { paymentMode: 'at_workshop', freeCancelHours: 2 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.policy).toMatchObject({ paymentMode: 'at_workshop', depositBps: null, lateCancelFeeBps: 0, noShowFeeBps: 0 });
    const bad = await put(b.vendor.token, b.workshop.id, { paymentMode: 'at_workshop', freeCancelHours: 2, noShowFeeBps: 1000 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it("a vendor of workshop A is refused on workshop B's policy, reading and writing, and B's policy is unchanged", async () => {
    const before = expectStatus(await policyOf(b.vendor.token, b.workshop.id), 200).policy;
    const read = await policyOf(a.vendor.token, b.workshop.id);
    expect(read.response.status).toBe(403);
    expect(read.error?.error.code).toBe('FORBIDDEN');
    const write = await put(a.vendor.token, b.workshop.id, { paymentMode: 'full', freeCancelHours: 0, lateCancelFeeBps: 10_000, noShowFeeBps: 10_000 });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('FORBIDDEN');
    expect(expectStatus(await policyOf(b.vendor.token, b.workshop.id), 200).policy).toEqual(before);
  });

  it('customers and anonymous callers are refused; admins may read but not write a policy', async () => {
    expect((await policyOf(customer.token, a.workshop.id)).response.status).toBe(403);
    expect((await es.api.get(`/api/v1/workshops/${a.workshop.id}/money-policy`)).status).toBe(401);
    const adminPut = await put(admin.token, a.workshop.id, { paymentMode: 'full', freeCancelHours: 1, lateCancelFeeBps: 0, noShowFeeBps: 0 });
    expect(adminPut.status).toBe(403);
  });

  it('answers 404 for an unknown workshop and 400 VALIDATION_FAILED for bad input', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await policyOf(admin.token, unknown)).response.status).toBe(404);
    expect((await policyOf(a.vendor.token, unknown)).response.status).toBe(404);
    expect((await es.api.get('/api/v1/workshops/not-a-uuid/money-policy', a.vendor.token)).status).toBe(400);
    const bad = [
      { paymentMode: 'deposit', freeCancelHours: 24, lateCancelFeeBps: 0, noShowFeeBps: 0 }, // deposit without its rate
      { paymentMode: 'deposit', depositBps: 0, freeCancelHours: 24, lateCancelFeeBps: 0, noShowFeeBps: 0 },
      { paymentMode: 'full', depositBps: 2000, freeCancelHours: 24, lateCancelFeeBps: 0, noShowFeeBps: 0 }, // a rate full prepayment has no use for
      { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 10_001, noShowFeeBps: 0 },
      { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 12.5, noShowFeeBps: 0 },
      { paymentMode: 'full', freeCancelHours: -1, lateCancelFeeBps: 0, noShowFeeBps: 0 },
      { paymentMode: 'card', freeCancelHours: 24, lateCancelFeeBps: 0, noShowFeeBps: 0 },
      { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 0, noShowFeeBps: 0, commissionBps: 0 }, // vendors never set commission
      {},
    ];
    for (const body of bad) {
      const res = await put(a.vendor.token, a.workshop.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code, JSON.stringify(body)).toBe('VALIDATION_FAILED');
    }
    const malformed = await es.api.call('PUT', `/api/v1/workshops/${a.workshop.id}/money-policy`, { raw: '{"paymentMode":', token: a.vendor.token });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('MALFORMED_JSON');
  });
});

describe('commission overrides (admin)', () => {
  const path = (id: string) => `/api/v1/admin/workshops/${id}/commission`;

  it('an admin sets a workshop rate and category rates; the owner sees them; replacing clears the old ones', async () => {
    const res = await es.api.put(path(a.workshop.id), { workshopBps: 800, categoryBps: { brakes: 500, tyres: 0 } }, admin.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.policy.commission).toEqual({ platformDefaultBps: 1200, workshopBps: 800, categoryBps: { brakes: 500, tyres: 0 } });
    expect(expectStatus(await policyOf(a.vendor.token, a.workshop.id), 200).policy.commission.categoryBps).toEqual({ brakes: 500, tyres: 0 });
    const terms = await es.server.services.money.termsFor(a.workshop.id);
    expect(terms.rates).toEqual({ platformDefaultBps: 1200, workshopBps: 800, categoryBps: { brakes: 500, tyres: 0 } });
    const cleared = await es.api.put(path(a.workshop.id), { workshopBps: null }, admin.token);
    expect(cleared.body.policy.commission).toEqual({ platformDefaultBps: 1200, workshopBps: null, categoryBps: {} });
  });

  it('vendors cannot set commission, bad rates are 400 and unknown workshops 404', async () => {
    expect((await es.api.put(path(a.workshop.id), { workshopBps: 0 }, a.vendor.token)).status).toBe(403);
    for (const body of [{ workshopBps: 10_001 }, { workshopBps: 100, categoryBps: { spaceships: 100 } }, { categoryBps: {} }]) {
      const res = await es.api.put(path(a.workshop.id), body, admin.token);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await es.api.put(path('00000000-0000-4000-8000-000000000000'), { workshopBps: 100 }, admin.token)).status).toBe(404);
  });
});

describe('GET /metrics: ledger imbalance', () => {
  it('shows 0 per currency after money has moved', async () => {
    const w = await quickWorkshop(es, { autoAccept: true });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const booking = await bookAs(es, w, customer, slot!.id);
    const money = es.server.services.ledger;
    await money.capture({ bookingId: booking.id, customerId: customer.id, currency: 'GBP', amount: 5000, processorFee: 100 });
    await money.release({ bookingId: booking.id, workshopId: w.workshop.id, currency: 'GBP', commissionBps: 1200 });
    const text = await (await fetch(`${es.server.url}/metrics`)).text();
    expect(text).toMatch(/# TYPE holdfast_ledger_imbalance_minor gauge/);
    expect(text).toMatch(/^holdfast_ledger_imbalance_minor\{currency="GBP"\} 0$/m);
  });
});

describe('GET /api/workshops/{id}/payment-terms (public)', () => {
  it('says how the workshop is paid and by which processor; none when paid at the workshop; 404 for no workshop', async () => {
    const terms = (id: string) => es.api.get(`/api/workshops/${id}/payment-terms`);
    const fresh = await quickWorkshop(es, { money: 'default' });
    const card = await terms(fresh.workshop.id);
    expect(card.status).toBe(200);
    expect(card.body.terms).toMatchObject({ paymentMode: 'full', provider: 'simulated', freeCancelHours: 24 });
    const cash = await quickWorkshop(es);
    expect((await terms(cash.workshop.id)).body.terms).toMatchObject({ paymentMode: 'at_workshop', provider: 'none', lateCancelFeeBps: 0 });
    expect((await terms('00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
