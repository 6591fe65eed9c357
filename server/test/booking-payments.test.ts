import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoneyPolicyInput } from '@shared/schemas/money-policy';
import { manualClock } from '../domain/clock';
import { createBookingTransitions } from '../domain/booking-transitions';
import { createPaymentFlow } from '../domain/money/payment-flow';
import type { SlotRow } from '../domain/catalog-ports';
import { atInstant, dayOfSlots, holdAs, quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';
import { expectStatus, useOwnDatabase } from './harness';

/*
 * Money wired into bookings, on real Postgres and Redis with the simulated processor: confirm
 * authorizes what the policy says (never what the client says), declines and outages keep the hold
 * and write nothing, replays never authorize twice, and every way out of a booking voids or
 * captures exactly once, each capture posted to a ledger that stays balanced. A manual clock from
 * a fixed date drives the lifecycle windows; no sweepers run, the test calls them.
 */

// A database of its own: this file sweeps the whole database (accept SLA, orphaned payments) on a
// clock far from the real one, which on the shared database would act on other files' bookings.
const database = useOwnDatabase('payments');
const clock = manualClock(Date.parse('2027-03-01T07:00:00Z'));
const HOUR = 3_600_000;
const GOOD = '4242 4242 4242 4242';
const DECLINED = '4000000000000002';
const OUTAGE = '4000000000000119';

let es: EngineServer;
let db: pg.Client;
let customer: Account;
const shops: Record<string, { w: Awaited<ReturnType<typeof quickWorkshop>>; day: SlotRow[]; next: number }> = {};

async function shop(name: string, money: MoneyPolicyInput, opts: { autoAccept?: boolean; daysAhead?: number } = {}) {
  const w = await quickWorkshop(es, { bays: 1, money, autoAccept: opts.autoAccept });
  shops[name] = { w, day: await dayOfSlots(es.server, w.workshop.id, clock.now(), opts.daysAhead ?? 3), next: 0 };
}

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false, env: { DATABASE_URL: database() } });
  db = new pg.Client({ connectionString: database() });
  await db.connect();
  [customer] = (await quickAccounts(es.server, 1)) as [Account];
  await shop('full', { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 });
  await shop('deposit', { paymentMode: 'deposit', depositBps: 2500, freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 });
  await shop('atWorkshop', { paymentMode: 'at_workshop', freeCancelHours: 24 });
  await shop('auto', { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 0, noShowFeeBps: 0 }, { autoAccept: true });
  // Booked further ahead than an authorization lives (7 days): captured early by the sweep.
  await shop('farFull', { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 }, { daysAhead: 10 });
  await shop('farDeposit', { paymentMode: 'deposit', depositBps: 2500, freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 }, { daysAhead: 10 });
});
afterAll(async () => {
  await db?.end();
  await es?.server.close();
});

const api = (who: Account = customer) => es.api.typed(who.token);
const hold = (name: string) => {
  const s = shops[name]!;
  return holdAs(es, s.w, customer, s.day[s.next++]!.id).then((holdId) => ({ holdId, s }));
};
const confirm = (holdId: string, paymentMethod?: string, key?: string) =>
  api().POST('/api/v1/bookings', { body: { holdId, ...(paymentMethod ? { paymentMethod } : {}) }, ...(key ? { headers: { 'Idempotency-Key': key } } : {}) });
const act = (id: string, action: 'accept' | 'decline' | 'cancel' | 'start' | 'complete' | 'no-show', who: Account) =>
  api(who).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id, action } }, body: {} });
const payment = (bookingId: string) => es.server.services.bookingPayments.store.findBookingPayment(bookingId);
const receipt = async (bookingId: string) => expectStatus(await api().GET('/api/v1/bookings/{id}', { params: { path: { id: bookingId } } }), 200).booking.payment;
const authorizationsFor = async (holdId: string) =>
  Number((await db.query(`select count(*) from simulated_payment_request where idempotency_key like $1 and operation = 'authorize'`, [`hold:${holdId}:%`])).rows[0].count);
const ledgerTxns = async (bookingId: string) =>
  (await db.query<{ kind: string; cause: string; booking_event_id: string | null }>(`select kind, cause, booking_event_id from ledger_txn where booking_id = $1 order by created_at`, [bookingId])).rows;
const simulated = async (paymentId: string) => (await db.query<{ status: string; amount: number; captured: number; refunded: number }>(`select status, amount, captured, refunded from simulated_payment where id = $1`, [paymentId])).rows[0];
const providerCalls = async (bookingId: string, operation: string) =>
  Number((await db.query(`select count(*) from simulated_payment_request where idempotency_key like $1 and operation = $2`, [`booking:${bookingId}:%`, operation])).rows[0].count);
async function expectBalanced() {
  for (const { sum } of await es.server.services.stores.ledger.imbalance()) expect(sum).toBe(0);
}
const at = <T>(ms: number, fn: () => Promise<T>) => atInstant(clock, ms, fn);

describe('confirm authorizes what the policy says', () => {
  it('full: the price is authorized on the card and recorded with the booking', async () => {
    const { holdId } = await hold('full');
    const { booking } = expectStatus(await confirm(holdId, GOOD), 201);
    const p = (await payment(booking.id))!;
    expect(p).toMatchObject({ mode: 'full', provider: 'simulated', status: 'authorized', price: 5000, authorized: 5000, captured: 0, lateCancelFee: 1000, noShowFee: 2500 });
    expect(await simulated(p.paymentId!)).toMatchObject({ status: 'authorized', amount: 5000 });
    expect(await receipt(booking.id)).toMatchObject({ mode: 'full', status: 'authorized', authorizedCents: 5000, capturedCents: 0, currency: 'GBP' });
    // No authorization is left waiting for a booking.
    expect(Number((await db.query(`select count(*) from payment_attempt where hold_id = $1`, [holdId])).rows[0].count)).toBe(0);
  });

  it('deposit: a quarter of the price', async () => {
    const { holdId } = await hold('deposit');
    const { booking } = expectStatus(await confirm(holdId, 'pm_card_visa'), 201);
    expect(await payment(booking.id)).toMatchObject({ mode: 'deposit', status: 'authorized', authorized: 1250, lateCancelFee: 1000, noShowFee: 1250 });
  });

  it('at the workshop: no card asked, nothing authorized, the booking still has its payment state', async () => {
    const { holdId } = await hold('atWorkshop');
    const { booking } = expectStatus(await confirm(holdId), 201);
    expect(await payment(booking.id)).toMatchObject({ mode: 'at_workshop', provider: null, paymentId: null, status: 'at_workshop', authorized: 0 });
    expect(await authorizationsFor(holdId)).toBe(0);
  });

  it('a card workshop without a card is 422 PAYMENT_METHOD_REQUIRED and keeps the hold', async () => {
    const { holdId } = await hold('full');
    const res = await confirm(holdId);
    expect(res.response.status).toBe(422);
    expect(res.error?.error.code).toBe('PAYMENT_METHOD_REQUIRED');
    expectStatus(await confirm(holdId, GOOD), 201);
  });
});

describe('declines and outages at confirm', () => {
  it('a declined card is 402 PAYMENT_DECLINED, writes no booking and keeps the hold; a good card then books', async () => {
    const { holdId } = await hold('full');
    const before = Number((await db.query(`select count(*) from booking where customer_id = $1`, [customer.id])).rows[0].count);
    const res = await confirm(holdId, DECLINED, 'decline-1');
    expect(res.response.status).toBe(402);
    expect(res.error?.error).toMatchObject({ code: 'PAYMENT_DECLINED', details: { declineCode: 'generic_decline' } });
    expect(Number((await db.query(`select count(*) from booking where customer_id = $1`, [customer.id])).rows[0].count)).toBe(before);
    expect(await es.server.services.live.findHold(holdId)).not.toBeNull();
    const { booking } = expectStatus(await confirm(holdId, GOOD, 'decline-1'), 201);
    expect((await payment(booking.id))?.status).toBe('authorized');
  });

  it('a processor outage is 503 PAYMENT_PROVIDER_UNAVAILABLE (retryable), writes no booking and keeps the hold', async () => {
    const { holdId } = await hold('full');
    const res = await confirm(holdId, OUTAGE);
    expect(res.response.status).toBe(503);
    expect(res.response.headers.get('retry-after')).toBeTruthy();
    expect(res.error?.error.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    expect(await es.server.services.live.findHold(holdId)).not.toBeNull();
    expect(Number((await db.query(`select count(*) from booking b join idempotency_key k on k.booking_id = b.id where k.hold_id = $1`, [holdId])).rows[0].count)).toBe(0);
  });
});

describe('replays never authorize twice', () => {
  it('the same confirm sent again, and five at once with one key, make one booking and one authorization', async () => {
    const { holdId } = await hold('full');
    const results = await Promise.all(Array.from({ length: 5 }, () => confirm(holdId, GOOD, 'same-key')));
    const ids = new Set(results.map((r) => r.data?.booking.id).filter(Boolean));
    expect(ids.size).toBe(1);
    const again = await confirm(holdId, GOOD, 'same-key');
    expect(again.response.status).toBe(200);
    expect(await authorizationsFor(holdId)).toBe(1);
    const [id] = [...ids];
    const paymentIds = (await db.query(`select payment_id from booking_payment where booking_id = $1`, [id])).rows;
    expect(paymentIds).toHaveLength(1);
  });

  it('twins without a key on one hold: one books, and the shared authorization (same card, same key) is never voided', async () => {
    const { holdId } = await hold('full');
    const results = await Promise.all([confirm(holdId, GOOD), confirm(holdId, GOOD)]);
    const ok = results.filter((r) => r.response.status === 201);
    expect(ok).toHaveLength(1);
    const p = (await payment(ok[0]!.data!.booking.id))!;
    expect(await simulated(p.paymentId!)).toMatchObject({ status: 'authorized' });
  });
});

describe('money follows the booking', () => {
  async function booked(name: string) {
    const { holdId, s } = await hold(name);
    const { booking } = expectStatus(await confirm(holdId, GOOD), 201);
    return { booking, vendor: s.w.vendor, p: (await payment(booking.id))! };
  }

  it('a decline voids the authorization', async () => {
    const { booking, vendor, p } = await booked('full');
    expectStatus(await act(booking.id, 'decline', vendor), 200);
    expect(await payment(booking.id)).toMatchObject({ status: 'voided', captured: 0, pending: null });
    expect(await simulated(p.paymentId!)).toMatchObject({ status: 'voided' });
    expect(await ledgerTxns(booking.id)).toEqual([]);
  });

  it('an unanswered request expiring voids it', async () => {
    const { booking, p } = await booked('full');
    await at(clock.now() + 2 * 24 * HOUR, () => es.server.services.transitions.expireOverdue());
    expect(await payment(booking.id)).toMatchObject({ status: 'voided' });
    expect(await simulated(p.paymentId!)).toMatchObject({ status: 'voided' });
  });

  it('a free cancellation voids it; a late one captures the fee only', async () => {
    const free = await booked('full');
    expectStatus(await act(free.booking.id, 'accept', free.vendor), 200);
    expectStatus(await act(free.booking.id, 'cancel', customer), 200);
    expect(await payment(free.booking.id)).toMatchObject({ status: 'voided', captured: 0 });

    const late = await booked('full');
    expectStatus(await act(late.booking.id, 'accept', late.vendor), 200);
    await at(Date.parse(late.booking.startsAt) - 2 * HOUR, async () => expectStatus(await act(late.booking.id, 'cancel', customer), 200));
    expect(await payment(late.booking.id)).toMatchObject({ status: 'captured', captured: 1000, fee: 1000, pending: null });
    expect(await simulated(late.p.paymentId!)).toMatchObject({ status: 'captured', captured: 1000 });
    const txns = await ledgerTxns(late.booking.id);
    expect(txns).toMatchObject([{ kind: 'fee_capture', cause: `booking:${late.booking.id}:fee-capture` }]);
    expect(txns[0]!.booking_event_id).toBeTruthy();
    expect(await receipt(late.booking.id)).toMatchObject({ status: 'captured', capturedCents: 1000, feeCents: 1000 });
    await expectBalanced();
  });

  it('a no-show captures the no-show fee', async () => {
    const { booking, vendor, p } = await booked('full');
    expectStatus(await act(booking.id, 'accept', vendor), 200);
    await at(Date.parse(booking.startsAt) + 20 * 60_000, async () => expectStatus(await act(booking.id, 'no-show', vendor), 200));
    expect(await payment(booking.id)).toMatchObject({ status: 'captured', captured: 2500, fee: 2500 });
    expect(await simulated(p.paymentId!)).toMatchObject({ status: 'captured', captured: 2500 });
    expect(await ledgerTxns(booking.id)).toMatchObject([{ kind: 'fee_capture' }]);
    await expectBalanced();
  });

  it('completion captures the authorization, and the escrow is released once the dispute window has passed', async () => {
    const { booking, vendor } = await booked('auto');
    expect(booking.status).toBe('accepted');
    const start = Date.parse(booking.startsAt);
    await at(start, async () => {
      expectStatus(await act(booking.id, 'start', vendor), 200);
      expectStatus(await act(booking.id, 'complete', vendor), 200);
    });
    expect(await payment(booking.id)).toMatchObject({ status: 'captured', captured: 5000, fee: 0 });
    const flow = es.server.services.bookingPayments.flow;
    await at(start + 71 * HOUR, async () => expect(await flow.releaseDue()).toBe(0));
    // Two processes releasing at once post one release.
    await at(start + 73 * HOUR, () => Promise.all([flow.releaseDue(), flow.releaseDue()]));
    expect((await ledgerTxns(booking.id)).map((t) => t.kind)).toEqual(['capture', 'release']);
    expect((await payment(booking.id))?.releasedAt).toBeTruthy();
    await expectBalanced();
  });

  it('settling a call that is no longer the pending one changes nothing (a slow second process must not clear the next call)', async () => {
    const { booking } = await booked('full');
    const store = es.server.services.bookingPayments.store;
    expect(await store.schedule(booking.id, 'void', null, null, new Date(clock.now() + HOUR))).toBe(true);
    await store.settle(booking.id, 'capture', { status: 'captured', captured: 5000, fee: 0 });
    await store.settleRefund(booking.id, 100);
    await store.failed(booking.id, 'refund', 'late news', null);
    expect(await payment(booking.id)).toMatchObject({ status: 'authorized', captured: 0, refunded: 0, pending: { action: 'void', attempts: 0, lastError: null } });
    await store.settle(booking.id, 'void', { status: 'voided' });
    expect(await payment(booking.id)).toMatchObject({ status: 'voided', pending: null });
  });

  it('a call recorded with a move but never made (the process died after COMMIT) is made by the sweep, once', async () => {
    const { booking, vendor, p } = await booked('full');
    expectStatus(await act(booking.id, 'accept', vendor), 200);
    // As a late cancellation's transaction leaves it when the process dies before calling the provider.
    await db.query(`update booking_payment set pending_action = 'fee_capture', pending_amount = 1000, next_attempt_at = $2 where booking_id = $1`, [booking.id, new Date(clock.now())]);
    const flow = es.server.services.bookingPayments.flow;
    await Promise.all([flow.sweepPending(), flow.sweepPending()]);
    expect(await payment(booking.id)).toMatchObject({ status: 'captured', captured: 1000, pending: null });
    expect(await simulated(p.paymentId!)).toMatchObject({ captured: 1000 });
    expect(await ledgerTxns(booking.id)).toHaveLength(1);
    await expectBalanced();
  });
});

describe('authorizations no booking took', () => {
  it('the sweep voids attempts older than any hold can live (also one whose answer was never written down), and leaves young ones', async () => {
    const store = es.server.services.bookingPayments.store;
    const provider = es.server.services.payments.provider;
    const base = { customerId: customer.id, provider: 'simulated' as const, paymentMethod: GOOD, amount: 5000, currency: 'GBP' };
    const old = new Date(clock.now() - 3 * HOUR);
    // Authorized, then the process died before the booking's transaction.
    const a = await store.recordAttempt({ ...base, idempotencyKey: 'hold:orphan-a:authorize-x:v1', holdId: 'orphan-a', createdAt: old });
    const auth = await provider.authorize({ idempotencyKey: a.idempotencyKey, amount: 5000, currency: 'gbp', customerId: customer.id, paymentMethod: GOOD });
    await store.attemptAuthorized(a.idempotencyKey, auth.paymentId);
    // Authorized, then the process died before writing the payment id down.
    const b = await store.recordAttempt({ ...base, idempotencyKey: 'hold:orphan-b:authorize-x:v1', holdId: 'orphan-b', createdAt: old });
    const authB = await provider.authorize({ idempotencyKey: b.idempotencyKey, amount: 5000, currency: 'gbp', customerId: customer.id, paymentMethod: GOOD });
    // A confirm still in flight: too young to touch.
    await store.recordAttempt({ ...base, idempotencyKey: 'hold:young:authorize-x:v1', holdId: 'young', createdAt: new Date(clock.now()) });

    const sweep = es.server.services.bookingPayments.confirm.sweepOrphans;
    const [n1, n2] = await Promise.all([sweep(), sweep()]);
    expect(n1 + n2).toBeGreaterThanOrEqual(2);
    expect(await simulated(auth.paymentId)).toMatchObject({ status: 'voided' });
    expect(await simulated(authB.paymentId)).toMatchObject({ status: 'voided' });
    const left = (await db.query<{ hold_id: string }>(`select hold_id from payment_attempt where hold_id in ('orphan-a', 'orphan-b', 'young')`)).rows.map((r) => r.hold_id);
    expect(left).toEqual(['young']);
  });
});

describe('fees are released after the dispute window, counted from the cancellation or no-show', () => {
  it('a late-cancellation fee and a no-show fee reach the workshop\'s payable (less commission) DISPUTE_WINDOW_HOURS (72) after they were charged, not before', async () => {
    const flow = es.server.services.bookingPayments.flow;
    const { holdId: h1, s } = await hold('full');
    const late = expectStatus(await confirm(h1, GOOD), 201).booking;
    const { holdId: h2 } = await hold('full');
    const noShow = expectStatus(await confirm(h2, GOOD), 201).booking;
    for (const b of [late, noShow]) expectStatus(await act(b.id, 'accept', s.w.vendor), 200);
    const cancelledAt = Date.parse(late.startsAt) - 2 * HOUR;
    await at(cancelledAt, async () => expectStatus(await act(late.id, 'cancel', customer), 200));
    const noShowAt = Date.parse(noShow.startsAt) + 20 * 60_000;
    await at(noShowAt, async () => expectStatus(await act(noShow.id, 'no-show', s.w.vendor), 200));
    expect(await payment(late.id)).toMatchObject({ status: 'captured', fee: 1000, feeOwed: 1000, endedAt: new Date(cancelledAt), releasedAt: null });
    expect(await payment(noShow.id)).toMatchObject({ status: 'captured', fee: 2500, feeOwed: 2500, endedAt: new Date(noShowAt) });

    await at(cancelledAt + 72 * HOUR - 1, () => flow.releaseDue(500));
    expect((await ledgerTxns(late.id)).map((t) => t.kind)).toEqual(['fee_capture']);
    await at(cancelledAt + 72 * HOUR, () => Promise.all([flow.releaseDue(500), flow.releaseDue(500)]));
    expect((await ledgerTxns(late.id)).map((t) => t.kind)).toEqual(['fee_capture', 'release']);
    expect((await ledgerTxns(noShow.id)).map((t) => t.kind)).toEqual(['fee_capture']);
    await at(noShowAt + 72 * HOUR, () => flow.releaseDue(500));
    expect((await ledgerTxns(noShow.id)).map((t) => t.kind)).toEqual(['fee_capture', 'release']);
    expect((await payment(noShow.id))?.releasedAt).toBeTruthy();
    // 10 % commission (COMMISSION_DEFAULT_BPS) on each fee; the rest is the workshop's payable.
    expect(await es.server.services.ledger.position(late.id)).toMatchObject({ captured: 1000, escrowed: 0, vendorShare: 900, commission: 100 });
    expect(await es.server.services.ledger.position(noShow.id)).toMatchObject({ captured: 2500, escrowed: 0, vendorShare: 2250, commission: 250 });
    await expectBalanced();
  });
});

describe('a booking captured early (its authorization about to lapse) that then ends without completion', () => {
  /** The sweep's early capture, limited to this booking (the database is shared with other files). */
  async function captureEarly(bookingId: string) {
    const s = es.server.services;
    const store = s.bookingPayments.store;
    const flow = createPaymentFlow({
      provider: s.payments.provider, ledger: s.ledger, clock, disputeWindowHours: 72,
      store: { ...store, lapsingAuthorizations: async (before, limit) => (await store.lapsingAuthorizations(before, 100_000)).filter((id) => id === bookingId).slice(0, limit) },
      hasOpenDispute: async () => false,
      bookingOf: (id) => s.stores.bookings.findById(id),
    });
    const p = (await payment(bookingId))!;
    const when = p.authorizationExpiresAt!.getTime() - 12 * HOUR;
    expect(await at(when, () => flow.captureBeforeLapse())).toBe(1);
    expect(await payment(bookingId)).toMatchObject({ status: 'captured', captured: p.authorized, fee: 0, pending: null });
    return when;
  }
  async function booked(name: string, accept = true) {
    const { holdId, s } = await hold(name);
    const { booking } = expectStatus(await confirm(holdId, GOOD), 201);
    if (accept) expectStatus(await act(booking.id, 'accept', s.w.vendor), 200);
    return { booking, vendor: s.w.vendor, p: (await payment(booking.id))!, start: Date.parse(booking.startsAt) };
  }

  it('a late cancellation gives back everything above the fee (provider refund, ledger refund from escrow), and the fee is released after the window', async () => {
    const { booking, p, start } = await booked('farFull');
    const capturedAt = await captureEarly(booking.id);
    expect(start - capturedAt).toBeGreaterThan(24 * HOUR);
    const cancelledAt = start - 2 * HOUR;
    await at(cancelledAt, async () => expectStatus(await act(booking.id, 'cancel', customer), 200));
    expect(await payment(booking.id)).toMatchObject({ status: 'captured', captured: 5000, refunded: 4000, fee: 1000, feeOwed: 1000, pending: null });
    expect(await simulated(p.paymentId!)).toMatchObject({ captured: 5000, refunded: 4000 });
    const txns = await ledgerTxns(booking.id);
    expect(txns).toMatchObject([{ kind: 'capture' }, { kind: 'refund', cause: `booking:${booking.id}:refund:early-capture` }]);
    expect(txns[1]!.booking_event_id).toBeTruthy();
    expect(await es.server.services.ledger.position(booking.id)).toMatchObject({ captured: 5000, refunded: 4000, escrowed: 1000 });
    expect(await receipt(booking.id)).toMatchObject({ status: 'captured', capturedCents: 5000, refundedCents: 4000, feeCents: 1000, settling: false });

    await at(cancelledAt + 72 * HOUR, () => es.server.services.bookingPayments.flow.releaseDue(500));
    expect((await ledgerTxns(booking.id)).map((t) => t.kind)).toEqual(['capture', 'refund', 'release']);
    expect(await es.server.services.ledger.position(booking.id)).toMatchObject({ escrowed: 0, refunded: 4000, vendorShare: 900, commission: 100 });
    // The sweep finds nothing more to do for it, and the refund was asked of the provider once.
    await es.server.services.bookingPayments.flow.sweepPending();
    expect(await providerCalls(booking.id, 'refund')).toBe(1);
    await expectBalanced();
  });

  it('a free cancellation, a decline and an expiry give everything back; nothing is released', async () => {
    const free = await booked('farFull');
    await captureEarly(free.booking.id);
    await at(free.start - 30 * HOUR, async () => expectStatus(await act(free.booking.id, 'cancel', customer), 200));
    const declined = await booked('farFull', false);
    const declinedAt = (await captureEarly(declined.booking.id)) + HOUR;
    await at(declinedAt, async () => expectStatus(await act(declined.booking.id, 'decline', declined.vendor), 200));
    const expired = await booked('farFull', false);
    const capturedAt = await captureEarly(expired.booking.id);
    await at(capturedAt + HOUR, () => es.server.services.transitions.expireOverdue());
    for (const b of [free, declined, expired]) {
      expect(await payment(b.booking.id), b.booking.id).toMatchObject({ status: 'refunded', captured: 5000, refunded: 5000, fee: 0, feeOwed: 0, pending: null });
      expect(await simulated(b.p.paymentId!)).toMatchObject({ captured: 5000, refunded: 5000 });
      expect((await ledgerTxns(b.booking.id)).map((t) => t.kind)).toEqual(['capture', 'refund']);
    }
    await at(capturedAt + 30 * 24 * HOUR, () => es.server.services.bookingPayments.flow.releaseDue(500));
    for (const b of [free, declined, expired]) expect((await ledgerTxns(b.booking.id)).map((t) => t.kind)).toEqual(['capture', 'refund']);
    await expectBalanced();
  });

  it('a no-show whose fee is all that was captured (a deposit) keeps it: no refund, released after the window', async () => {
    const { booking, vendor, start } = await booked('farDeposit');
    await captureEarly(booking.id);
    await at(start + 20 * 60_000, async () => expectStatus(await act(booking.id, 'no-show', vendor), 200));
    expect(await payment(booking.id)).toMatchObject({ status: 'captured', captured: 1250, refunded: 0, fee: 1250, feeOwed: 1250, pending: null });
    expect(await providerCalls(booking.id, 'refund')).toBe(0);
    await at(start + 20 * 60_000 + 72 * HOUR, () => es.server.services.bookingPayments.flow.releaseDue(500));
    expect((await ledgerTxns(booking.id)).map((t) => t.kind)).toEqual(['capture', 'release']);
    await expectBalanced();
  });

  it('a refund recorded with the move but never made (the process died after COMMIT) is made by the sweep, once, even by two sweeps at once', async () => {
    const { booking, p, start } = await booked('farFull');
    await captureEarly(booking.id);
    // This process dies after the cancellation's COMMIT: the call stays recorded on the row.
    const s = es.server.services;
    const dying = createBookingTransitions({
      workshops: s.stores.workshops, bookings: s.stores.bookings, live: s.live, clock, publisher: { bookingChanged: () => undefined },
      payments: { find: s.bookingPayments.store.findBookingPayment, run: async () => undefined },
    });
    await at(start - 2 * HOUR, () => dying.act({ id: customer.id, role: 'customer' }, booking.id, 'cancel'));
    expect(await payment(booking.id)).toMatchObject({ status: 'captured', refunded: 0, fee: 1000, pending: { action: 'refund', amount: 4000 } });
    await at(start - 2 * HOUR, () => Promise.all([s.bookingPayments.flow.sweepPending(), s.bookingPayments.flow.sweepPending()]));
    expect(await payment(booking.id)).toMatchObject({ status: 'captured', refunded: 4000, fee: 1000, pending: null });
    expect(await simulated(p.paymentId!)).toMatchObject({ captured: 5000, refunded: 4000 });
    expect((await ledgerTxns(booking.id)).map((t) => t.kind)).toEqual(['capture', 'refund']);
    await expectBalanced();
  });

  it('cancelled while its early capture was still being made: the capture completes, then what is not owed goes back (also when a process stopped in between)', async () => {
    const s = es.server.services;
    // The sweep recorded the early capture; the processor was unreachable, so it waits for a retry.
    // The customer cancels meanwhile (no fee: still days ahead); the move finds the call busy.
    const inFlight = await booked('farFull');
    const lapsesAt = inFlight.p.authorizationExpiresAt!.getTime();
    await s.bookingPayments.store.schedule(inFlight.booking.id, 'capture', 5000, null, new Date(lapsesAt - HOUR));
    await at(lapsesAt - 12 * HOUR, async () => expectStatus(await act(inFlight.booking.id, 'cancel', customer), 200));
    expect(await payment(inFlight.booking.id)).toMatchObject({ status: 'refunded', captured: 5000, refunded: 5000, fee: 0, feeOwed: 0, pending: null });
    expect(await simulated(inFlight.p.paymentId!)).toMatchObject({ captured: 5000, refunded: 5000 });
    expect((await ledgerTxns(inFlight.booking.id)).map((t) => t.kind)).toEqual(['capture', 'refund']);

    // Captured early, the booking cancelled, and the process stopped before recording the refund.
    const stopped = await booked('farFull');
    await captureEarly(stopped.booking.id);
    const dying = createBookingTransitions({
      workshops: s.stores.workshops, bookings: s.stores.bookings, live: s.live, clock, publisher: { bookingChanged: () => undefined },
      payments: { find: s.bookingPayments.store.findBookingPayment, run: async () => undefined },
    });
    await at(stopped.start - 2 * HOUR, () => dying.act({ id: customer.id, role: 'customer' }, stopped.booking.id, 'cancel'));
    await db.query(`update booking_payment set pending_action = null, pending_amount = null, fee_minor = 0 where booking_id = $1`, [stopped.booking.id]);
    expect(await s.bookingPayments.store.owedRefunds(1000)).toContain(stopped.booking.id);
    await s.bookingPayments.flow.sweepPending(1000);
    expect(await payment(stopped.booking.id)).toMatchObject({ status: 'captured', captured: 5000, refunded: 4000, fee: 1000, pending: null });
    expect(await s.bookingPayments.store.owedRefunds(1000)).not.toContain(stopped.booking.id);
    expect(await providerCalls(stopped.booking.id, 'refund')).toBe(1);
    await expectBalanced();
  });
});
