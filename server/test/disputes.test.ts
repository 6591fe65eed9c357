import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisputeView, ResolveDisputeInput } from '@shared/schemas/dispute';
import type { SlotRow } from '../domain/catalog-ports';
import { manualClock } from '../domain/clock';
import { expectStatus, useOwnDatabase } from './harness';
import {
  bookAs, completedBooking, connect, holdAs, PAY_BY_CARD, nextEvent, quickAccounts, quickWorkshop, startEngineServer,
  type Account, type ClientSocket, type EngineServer,
} from './fixtures';

/*
 * Disputes over real HTTP, Postgres and the simulated processor: who may open, read and resolve;
 * the window and the money preconditions; each outcome's ledger transaction, provider refund,
 * booking event and live event; and that a resolution never refunds twice (repeated, raced, or
 * finished after being cut short).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A manual clock: each booking takes the next unused slot, is completed at its booked time, and the
// clock is then left an hour after completion (when customers report problems).
// A fixed date far from other files' (the escrow release job looks at every booking in the database).
const clock = manualClock(Date.UTC(2031, 2, 3, 7, 0));
// A database of its own: the escrow release below runs at a 2031 clock, which on the shared
// database would release other files' captures.
const database = useOwnDatabase('disputes');
let es: EngineServer;
let ws: Awaited<ReturnType<typeof quickWorkshop>>;
let other: Awaited<ReturnType<typeof quickWorkshop>>;
let slots: SlotRow[];
let otherSlots: SlotRow[];
let customer: Account;
let stranger: Account;
let admin: Account;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false, env: { DATABASE_URL: database(), DISPUTE_WINDOW_HOURS: '48' } });
  // `ws` takes cards (captured at completion); `other` is paid at the workshop.
  [ws, other] = [await quickWorkshop(es, { bays: 4, money: PAY_BY_CARD }), await quickWorkshop(es, { bays: 4 })];
  const ahead = (id: string) => es.server.services.stores.slots.list(id, new Date(clock.now() + DAY), new Date(clock.now() + 20 * DAY));
  [slots, otherSlots] = [await ahead(ws.workshop.id), await ahead(other.workshop.id)];
  [customer, stranger] = (await quickAccounts(es.server, 2)) as [Account, Account];
  [admin] = (await quickAccounts(es.server, 1, 'admin')) as [Account];
});
afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await es?.server.close();
});

/** A slot not used yet, starting a minute or more after the clock's now. */
let lastStart = 0;
const nextSlot = (from = slots) => {
  const s = from.find((x) => x.startsAt.getTime() > Math.max(clock.now() + 60_000, lastStart))!;
  lastStart = s.startsAt.getTime();
  return s.id;
};

async function completed(who: Account = customer, opts: { atWorkshop?: boolean } = {}) {
  const r = opts.atWorkshop
    ? await completedBooking(es, other, who, nextSlot(otherSlots), clock, { card: null })
    : await completedBooking(es, ws, who, nextSlot(), clock);
  clock.set(r.completedAt + HOUR);
  return r;
}

const open = (bookingId: string, body: unknown, who: Account | null = customer) => es.api.post(`/api/v1/bookings/${bookingId}/dispute`, body, who?.token);
const disputeOf = (bookingId: string, who: Account) => es.api.typed(who.token).GET('/api/v1/bookings/{id}/dispute', { params: { path: { id: bookingId } } });
const resolve = (disputeId: string, body: ResolveDisputeInput | Record<string, unknown>, who: Account = admin) => es.api.post(`/api/v1/admin/disputes/${disputeId}/resolve`, body, who.token);
const queue = (status?: 'open' | 'resolved', who: Account = admin) => es.api.typed(who.token).GET('/api/v1/admin/disputes', { params: { query: status ? { status } : {} } });
const position = (bookingId: string) => es.server.services.ledger.position(bookingId);
const simulated = async (bookingId: string) => {
  const p = (await es.server.services.stores.bookingPayments.findBookingPayment(bookingId))!;
  const [row] = await es.server.orm.em.fork().getConnection().execute<Array<{ captured: number; refunded: number }>>('select captured, refunded from simulated_payment where id = ?', [p.paymentId]);
  return { payment: p, provider: row! };
};
const history = async (bookingId: string) => expectStatus(await es.api.typed(customer.token).GET('/api/v1/bookings/{id}', { params: { path: { id: bookingId } } }), 200).booking.events.map((e) => e.type);
const complaint = { reason: 'poor_quality', text: 'The brakes still squeal after the job.' };

async function opened(who: Account = customer) {
  const { booking, completedAt } = await completed(who);
  const res = await open(booking.id, complaint, who);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { booking, completedAt, dispute: res.body.dispute as DisputeView };
}

describe('opening a dispute', () => {
  it('the customer of a completed, paid booking opens one within the window; both sides see it live and can read it; release waits', async () => {
    const { booking, completedAt } = await completed();
    expect(expectStatus(await disputeOf(booking.id, customer), 200)).toEqual({ dispute: null, openUntil: new Date(completedAt + 48 * HOUR).toISOString() });
    const [customerSocket, vendorSocket] = await Promise.all([connect(es.server.url, { token: customer.token }), connect(es.server.url, { token: ws.vendor.token })]);
    sockets.push(customerSocket, vendorSocket);
    const toCustomer = nextEvent(customerSocket, 'booking:dispute', (e) => e.bookingId === booking.id);
    const toDesk = nextEvent(vendorSocket, 'booking:dispute', (e) => e.bookingId === booking.id);

    const res = await open(booking.id, { reason: 'work_not_done', text: '  The oil was never changed, the sticker is old.  ' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const dispute = res.body.dispute as DisputeView;
    expect(dispute).toMatchObject({ bookingId: booking.id, reason: 'work_not_done', text: 'The oil was never changed, the sticker is old.', status: 'open', outcome: null, refundedMinor: null, currency: booking.currency, resolvedAt: null });
    expect(dispute.openedAt).toBe(new Date(clock.now()).toISOString());
    expect((await toCustomer).dispute).toEqual(dispute);
    expect((await toDesk).dispute).toEqual(dispute);

    for (const who of [customer, ws.vendor, admin]) expect(expectStatus(await disputeOf(booking.id, who), 200).dispute).toEqual(dispute);
    // Someone else's booking does not exist for them, whether customer or another workshop's vendor.
    for (const who of [stranger, other.vendor]) expect((await disputeOf(booking.id, who)).response.status).toBe(404);
    expect(await history(booking.id)).toContain('dispute_opened');
    expect(await es.server.services.disputes.hasOpenDispute(booking.id)).toBe(true);

    const again = await open(booking.id, complaint);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
  });

  it('refuses other customers (404), vendors and admins (403), bad input (400) and anonymous callers (401)', async () => {
    const { booking } = await completed();
    expect((await open(booking.id, complaint, stranger)).status).toBe(404);
    expect((await open(booking.id, complaint, ws.vendor)).status).toBe(403);
    expect((await open(booking.id, complaint, admin)).status).toBe(403);
    expect((await open(booking.id, complaint, null)).status).toBe(401);
    for (const bad of [{ reason: 'bored', text: 'long enough text here' }, { reason: 'other', text: 'short' }, { reason: 'other', text: 'long enough text here', amount: 5 }, {}]) {
      const r = await open(booking.id, bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await es.api.get(`/api/v1/bookings/not-a-uuid/dispute`, customer.token)).status).toBe(400);
    expect(expectStatus(await disputeOf(booking.id, customer), 200).dispute).toBeNull();
  });

  it('only a completed booking, only within the window after completion, only when money was captured', async () => {
    const accepted = await bookAs(es, other, customer, nextSlot(otherSlots));
    expect((await es.api.typed(other.vendor.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: accepted.id, action: 'accept' } } })).response.status).toBe(200);
    const r1 = await open(accepted.id, complaint);
    expect(r1.status).toBe(409);
    expect(r1.body.error.code).toBe('INVALID_TRANSITION');
    expect(expectStatus(await disputeOf(accepted.id, customer), 200)).toEqual({ dispute: null, openUntil: null });

    const late = await completed();
    clock.set(late.completedAt + 48 * HOUR + 1);
    const r2 = await open(late.booking.id, complaint);
    expect(r2.status).toBe(409);
    expect(r2.body.error).toMatchObject({ code: 'DISPUTE_WINDOW_CLOSED', details: { closedAt: new Date(late.completedAt + 48 * HOUR).toISOString() } });
    clock.set(late.completedAt + 48 * HOUR);
    expect((await open(late.booking.id, complaint)).status).toBe(201);

    const unpaid = await completed(customer, { atWorkshop: true });
    const r3 = await open(unpaid.booking.id, complaint);
    expect(r3.status).toBe(422);
    expect(r3.body.error.code).toBe('NOTHING_CAPTURED');
    expect(await history(unpaid.booking.id)).not.toContain('dispute_opened');
  });
});

describe('resolving a dispute', () => {
  it('a partial refund: the provider refunds, the ledger records it from escrow, the booking has the event, the customer sees it live', async () => {
    const { booking, dispute } = await opened();
    const captured = booking.priceCents;
    const socket = await connect(es.server.url, { token: customer.token });
    sockets.push(socket);
    const live = nextEvent(socket, 'booking:dispute', (e) => e.bookingId === booking.id && e.dispute.status === 'resolved');

    const tooMuch = await resolve(dispute.id, { outcome: 'partial_refund', amountMinor: captured + 1 });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toMatchObject({ code: 'REFUND_TOO_LARGE', details: { refundableMinor: captured } });
    expect((await resolve(dispute.id, { outcome: 'partial_refund' })).status).toBe(400);
    expect((await resolve(dispute.id, { outcome: 'release', amountMinor: 5 })).status).toBe(400);
    expect((await resolve(dispute.id, { outcome: 'partial_refund', amountMinor: 1000 }, ws.vendor)).status).toBe(403);
    expect((await resolve(dispute.id, { outcome: 'partial_refund', amountMinor: 1000 }, customer)).status).toBe(403);

    const res = await resolve(dispute.id, { outcome: 'partial_refund', amountMinor: 1500, note: ' Half the job was redone. ' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.dispute).toMatchObject({ status: 'resolved', outcome: 'partial_refund', refundedMinor: 1500, note: 'Half the job was redone.' });
    expect((await live).dispute).toEqual(res.body.dispute);

    expect(await position(booking.id)).toMatchObject({ captured, refunded: 1500, escrowed: captured - 1500, releaseTxnId: null });
    const { payment, provider } = await simulated(booking.id);
    expect(provider).toEqual({ captured, refunded: 1500 });
    expect(payment.refunded).toBe(1500);
    expect(await history(booking.id)).toEqual(expect.arrayContaining(['dispute_opened', 'dispute_resolved']));
    expect(await es.server.services.disputes.hasOpenDispute(booking.id)).toBe(false);

    // Final: asking again changes nothing.
    const again = await resolve(dispute.id, { outcome: 'partial_refund', amountMinor: 1500 });
    expect(again.status).toBe(409);
    expect((await position(booking.id)).refunded).toBe(1500);
  });

  it('a full refund returns everything captured; a release pays the workshop less commission', async () => {
    const full = await opened();
    expect((await resolve(full.dispute.id, { outcome: 'full_refund' })).body.dispute).toMatchObject({ outcome: 'full_refund', refundedMinor: full.booking.priceCents });
    expect(await position(full.booking.id)).toMatchObject({ refunded: full.booking.priceCents, escrowed: 0 });
    expect((await simulated(full.booking.id)).payment.status).toBe('refunded');

    const kept = await opened();
    const res = await resolve(kept.dispute.id, { outcome: 'release', note: 'The photos show the work was done.' });
    expect(res.body.dispute).toMatchObject({ outcome: 'release', refundedMinor: 0 });
    const pos = await position(kept.booking.id);
    expect(pos.releaseTxnId).not.toBeNull();
    expect(pos).toMatchObject({ escrowed: 0, refunded: 0, commission: kept.booking.priceCents / 10, vendorShare: kept.booking.priceCents * 0.9 });
    expect((await simulated(kept.booking.id)).payment.releasedAt).not.toBeNull();
  });

  it('a resolution cut short after the decision is finished by repeating it, never redone differently, and never refunds twice under a race', async () => {
    const { booking, dispute } = await opened();
    // The decision was recorded, then the process died before the provider was called.
    await es.server.services.stores.disputes.decide(dispute.id, { outcome: 'partial_refund', amount: 700, by: admin.id, at: new Date(clock.now()) });
    expect(expectStatus(await disputeOf(booking.id, customer), 200).dispute).toMatchObject({ status: 'open', outcome: null });
    const other = await resolve(dispute.id, { outcome: 'release' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('CONFLICT');
    expect((await resolve(dispute.id, { outcome: 'partial_refund', amountMinor: 800 })).status).toBe(409);

    // Two admins finishing it at once: one refund at the provider, one in the ledger.
    const both = await Promise.all([resolve(dispute.id, { outcome: 'partial_refund', amountMinor: 700 }), resolve(dispute.id, { outcome: 'partial_refund', amountMinor: 700 })]);
    // The one that finds it resolved already answers 409; the other (or both, if they overlap fully) 200.
    for (const r of both) expect([200, 409], JSON.stringify(r.body)).toContain(r.status);
    expect(both.some((r) => r.status === 200)).toBe(true);
    expect(await position(booking.id)).toMatchObject({ refunded: 700 });
    expect((await simulated(booking.id)).provider.refunded).toBe(700);
    expect((await simulated(booking.id)).payment.refunded).toBe(700);
  });

  it('an open dispute freezes the escrow release past the window; once resolved by a partial refund, the rest is released', async () => {
    const { booking, completedAt, dispute } = await opened();
    const flow = es.server.services.bookingPayments.flow;
    clock.set(completedAt + 49 * HOUR);
    await flow.releaseDue(500);
    expect(await position(booking.id)).toMatchObject({ escrowed: booking.priceCents, releaseTxnId: null });
    expect((await resolve(dispute.id, { outcome: 'partial_refund', amountMinor: 1000 })).status).toBe(200);
    await flow.releaseDue(500);
    const pos = await position(booking.id);
    expect(pos.releaseTxnId).not.toBeNull();
    expect(pos).toMatchObject({ escrowed: 0, refunded: 1000, commission: (booking.priceCents - 1000) / 10, vendorShare: (booking.priceCents - 1000) * 0.9 });
  });

  it('the queue: admins only, oldest first, filtered by status, each with its booking and money', async () => {
    const a = await opened(stranger);
    const b = await opened(stranger);
    await resolve(b.dispute.id, { outcome: 'partial_refund', amountMinor: 100 });
    const openOnes = expectStatus(await queue('open'), 200).disputes;
    expect(openOnes.every((d) => d.dispute.status === 'open')).toBe(true);
    const ids = openOnes.map((d) => d.dispute.id);
    expect(ids).toContain(a.dispute.id);
    expect(ids).not.toContain(b.dispute.id);
    const times = openOnes.map((d) => Date.parse(d.dispute.openedAt));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const row = openOnes.find((d) => d.dispute.id === a.dispute.id)!;
    expect(row.booking).toMatchObject({ id: a.booking.id, customerName: expect.any(String) });
    expect(row.money).toEqual({ captured: a.booking.priceCents, refunded: 0, escrowed: a.booking.priceCents, released: false });
    const resolved = expectStatus(await queue('resolved'), 200).disputes;
    expect(resolved.find((d) => d.dispute.id === b.dispute.id)?.money).toMatchObject({ refunded: 100 });
    expect(expectStatus(await queue(), 200).disputes.length).toBeGreaterThanOrEqual(openOnes.length + resolved.length);
    expect((await queue('open', ws.vendor)).response.status).toBe(403);
    expect((await queue('open', customer)).response.status).toBe(403);
    expect((await es.api.get('/api/v1/admin/disputes?status=closed', admin.token)).status).toBe(400);
  });

  it('a refund that no longer fits (money refunded elsewhere meanwhile) is refused before anything moves', async () => {
    const { booking, dispute } = await opened();
    // Another refund (e.g. a goodwill refund) took most of it first.
    const p = (await es.server.services.stores.bookingPayments.findBookingPayment(booking.id))!;
    await es.server.services.payments.provider.refund({ paymentId: p.paymentId!, amount: booking.priceCents - 100, idempotencyKey: `test:${booking.id}:goodwill` });
    await es.server.services.ledger.refund({ bookingId: booking.id, key: 'goodwill', workshopId: ws.workshop.id, currency: booking.currency, amount: booking.priceCents - 100 });
    const r = await resolve(dispute.id, { outcome: 'partial_refund', amountMinor: 200 });
    expect(r.status).toBe(422);
    expect(r.body.error.details).toEqual({ refundableMinor: 100 });
    expect(expectStatus(await disputeOf(booking.id, admin), 200).dispute).toMatchObject({ status: 'open' });
    expect((await resolve(dispute.id, { outcome: 'full_refund' })).body.dispute).toMatchObject({ refundedMinor: 100 });
    expect(await position(booking.id)).toMatchObject({ refunded: booking.priceCents, escrowed: 0 });
  });
});

describe('disputing a fee (a late cancellation, a no-show)', () => {
  let fees: Awaited<ReturnType<typeof quickWorkshop>>;
  let feeSlots: SlotRow[];
  beforeAll(async () => {
    fees = await quickWorkshop(es, { bays: 4, money: { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 } });
    feeSlots = await es.server.services.stores.slots.list(fees.workshop.id, new Date(clock.now() + DAY), new Date(clock.now() + 20 * DAY));
  });
  const move = (id: string, action: 'accept' | 'cancel' | 'no-show', who: Account) =>
    es.api.typed(who.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id, action } } });

  /** A card booking at `fees`, accepted, then cancelled late (2 h before), cancelled free (now, 2 days or more before) or a no-show (20 min after the start); the clock is left at that moment. */
  async function charged(how: 'late' | 'free' | 'no-show') {
    // A free cancellation happens now, on a slot more than a day ahead.
    const slotId = how === 'free' ? nextSlot(feeSlots.filter((x) => x.startsAt.getTime() > clock.now() + 2 * DAY)) : nextSlot(feeSlots);
    const holdId = await holdAs(es, fees, customer, slotId);
    const booking = expectStatus(await es.api.typed(customer.token).POST('/api/v1/bookings', { body: { holdId, paymentMethod: 'pm_card_visa' } }), 201).booking;
    expectStatus(await move(booking.id, 'accept', fees.vendor), 200);
    const start = Date.parse(booking.startsAt);
    const endedAt = how === 'late' ? start - 2 * HOUR : how === 'free' ? clock.now() : start + 20 * 60_000;
    clock.set(endedAt);
    expectStatus(await move(booking.id, how === 'no-show' ? 'no-show' : 'cancel', how === 'no-show' ? fees.vendor : customer), 200);
    const fee = how === 'late' ? Math.floor(booking.priceCents / 5) : how === 'no-show' ? Math.floor(booking.priceCents / 2) : 0;
    return { booking, endedAt, fee };
  }

  it('a no-show fee can be contested within the window from the no-show; a full refund gives it back; after the window it is closed', async () => {
    const { booking, endedAt, fee } = await charged('no-show');
    expect(await position(booking.id)).toMatchObject({ captured: fee, escrowed: fee });
    expect(expectStatus(await disputeOf(booking.id, customer), 200)).toEqual({ dispute: null, openUntil: new Date(endedAt + 48 * HOUR).toISOString() });
    clock.set(endedAt + HOUR);
    const r = await open(booking.id, { reason: 'other', text: 'I was there on time; the door was locked.' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // The release waits for the dispute, even past the window.
    clock.set(endedAt + 49 * HOUR);
    await es.server.services.bookingPayments.flow.releaseDue(500);
    expect(await position(booking.id)).toMatchObject({ escrowed: fee, releaseTxnId: null });
    expect((await resolve(r.body.dispute.id, { outcome: 'full_refund' })).body.dispute).toMatchObject({ status: 'resolved', refundedMinor: fee });
    expect(await position(booking.id)).toMatchObject({ captured: fee, refunded: fee, escrowed: 0 });
    expect(await simulated(booking.id)).toMatchObject({ payment: { status: 'refunded', refunded: fee }, provider: { refunded: fee } });
    expect(await history(booking.id)).toEqual(expect.arrayContaining(['no_show', 'dispute_opened', 'dispute_resolved']));

    const closed = await charged('no-show');
    clock.set(closed.endedAt + 48 * HOUR + 1);
    const r2 = await open(closed.booking.id, complaint);
    expect(r2.body.error).toMatchObject({ code: 'DISPUTE_WINDOW_CLOSED', details: { closedAt: new Date(closed.endedAt + 48 * HOUR).toISOString() } });
  });

  it('a late-cancellation fee partly refunded by a dispute: the rest is released to the workshop after the window, counted from the cancellation', async () => {
    const { booking, endedAt, fee } = await charged('late');
    clock.set(endedAt + HOUR);
    const r = await open(booking.id, { reason: 'overcharged', text: 'The workshop moved my slot and then charged me a fee.' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect((await resolve(r.body.dispute.id, { outcome: 'partial_refund', amountMinor: 300 })).status).toBe(200);
    const flow = es.server.services.bookingPayments.flow;
    clock.set(endedAt + 48 * HOUR - 1);
    await flow.releaseDue(500);
    expect(await position(booking.id)).toMatchObject({ escrowed: fee - 300, releaseTxnId: null });
    clock.set(endedAt + 48 * HOUR);
    await flow.releaseDue(500);
    const pos = await position(booking.id);
    expect(pos.releaseTxnId).not.toBeNull();
    const commission = Math.round((fee - 300) / 10);
    expect(pos).toMatchObject({ escrowed: 0, refunded: 300, commission, vendorShare: fee - 300 - commission });
    expect((await es.server.services.stores.bookingPayments.findBookingPayment(booking.id))?.releasedAt).toBeTruthy();
  });

  it('a free cancellation has nothing to contest (no openUntil, 422); an open booking cannot be disputed (409)', async () => {
    const { booking } = await charged('free');
    expect(expectStatus(await disputeOf(booking.id, customer), 200)).toEqual({ dispute: null, openUntil: null });
    const r = await open(booking.id, complaint);
    expect([r.status, r.body.error.code]).toEqual([422, 'NOTHING_CAPTURED']);
    const holdId = await holdAs(es, fees, customer, nextSlot(feeSlots));
    const pending = expectStatus(await es.api.typed(customer.token).POST('/api/v1/bookings', { body: { holdId, paymentMethod: 'pm_card_visa' } }), 201).booking;
    const r2 = await open(pending.id, complaint);
    expect([r2.status, r2.body.error.code]).toEqual([409, 'INVALID_TRANSITION']);
  });

  it('a resolution waits while the booking\'s payment is still being settled with the processor (409 PAYMENT_STATE_CONFLICT), then goes through', async () => {
    const { booking, endedAt, fee } = await charged('late');
    clock.set(endedAt + HOUR);
    const r = await open(booking.id, complaint);
    expect(r.status).toBe(201);
    // As while a provider call of this booking waits for its retry.
    const conn = es.server.orm.em.fork().getConnection();
    await conn.execute(`update booking_payment set pending_action = 'void', next_attempt_at = ? where booking_id = ?`, [new Date(clock.now() + DAY), booking.id]);
    const busy = await resolve(r.body.dispute.id, { outcome: 'full_refund' });
    expect([busy.status, busy.body.error.code]).toEqual([409, 'PAYMENT_STATE_CONFLICT']);
    expect(await position(booking.id)).toMatchObject({ refunded: 0 });
    await conn.execute(`update booking_payment set pending_action = null, next_attempt_at = null where booking_id = ?`, [booking.id]);
    expect((await resolve(r.body.dispute.id, { outcome: 'full_refund' })).body.dispute).toMatchObject({ refundedMinor: fee });
  });
});
