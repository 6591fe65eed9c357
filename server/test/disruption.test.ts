import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HoldfastClient } from '@shared/api/client';
import type { DayHasBookingsDetails } from '@shared/schemas/disruption';
import { manualClock } from '../domain/clock';
import type { SlotRow } from '../domain/catalog-ports';
import { createPaymentFlow } from '../domain/money/payment-flow';
import { localDayOf } from '../domain/slot-generation';
import {
  type Account, atInstant, bookAs, connect, dayOfSlots, expectSlotInvariants, holdAs, nextEvent, quickAccounts, quickWorkshop, startEngineServer, together, type EngineServer,
} from './fixtures';
import { expectStatus } from './harness';

/*
 * Disruption: a workshop cancels or moves a booking with a reason; the customer hears it live and
 * by mail (an outbox row) with up to 3 free runs, takes one in one click or cancels for a full
 * refund; a workshop move takes capacity like a reschedule (never double-books; Redis and Postgres
 * agree); closing a day with bookings answers 409 with the list until each is resolved.
 * The test's manual clock drives every window; slots are days ahead of it.
 */

const clock = manualClock();
const HOUR = 3_600_000;
const GOOD = '4242 4242 4242 4242';
const LONDON = 'Europe/London';

let es: EngineServer;
let db: pg.Client;
let customers: Account[];

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false });
  db = new pg.Client({ connectionString: inject('databaseUrl') });
  await db.connect();
  customers = await quickAccounts(es.server, 8);
});
afterAll(async () => {
  await db?.end();
  await es?.server.close();
});

type Ws = Awaited<ReturnType<typeof quickWorkshop>>;
const onBooking = (id: string) => ({ params: { path: { id } } });
const as = (who: Account | null) => es.api.typed(who?.token);
const act = (id: string, action: 'accept' | 'cancel', who: Account) => as(who).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id, action } }, body: {} });
const workshopCancel = (id: string, reason: string, who: Account | null) => as(who).POST('/api/v1/bookings/{id}/workshop-cancel', { ...onBooking(id), body: { reason } });
const workshopMove = (id: string, to: string, reason: string, who: Account | null) => as(who).POST('/api/v1/bookings/{id}/workshop-move', { ...onBooking(id), body: { to, reason } });
const detail = async (id: string, who: Account) => expectStatus(await as(who).GET('/api/v1/bookings/{id}', onBooking(id)), 200).booking;
const closeDay = (w: Ws, body: { date: string; reason?: string; resolutions?: unknown[] }, who: Account | null = w.vendor) =>
  as(who).POST('/api/v1/workshops/{id}/closures', { params: { path: { id: w.workshop.id } }, body: body as never });
const outbox = async (bookingId: string) =>
  (await db.query<{ template: string; recipient_id: string }>('select template, recipient_id from outbox_message where booking_id = $1 order by template', [bookingId])).rows;
const payment = (bookingId: string) => es.server.services.bookingPayments.store.findBookingPayment(bookingId);
const iso = (s: SlotRow) => s.startsAt.toISOString();

/** A workshop with a fresh day of slots (two days ahead of the clock), accepted bookings made by `accepted`. */
async function shopWithDay(opts: Parameters<typeof quickWorkshop>[1] = {}) {
  const w = await quickWorkshop(es, { bays: 1, ...opts });
  const day = await dayOfSlots(es.server, w.workshop.id, clock.now());
  return { w, day };
}
async function accepted(w: Ws, who: Account, slot: SlotRow, card?: string) {
  const holdId = await holdAs(es, w, who, slot.id);
  const b = expectStatus(await as(who).POST('/api/v1/bookings', { body: { holdId, ...(card ? { paymentMethod: card } : {}) } }), 201).booking;
  expectStatus(await act(b.id, 'accept', w.vendor), 200);
  return b;
}

describe('the workshop cancels with a reason', () => {
  it('cancels: no late fee (the authorization is voided), the customer hears it live with the reason and alternatives, and a mail is owed', async () => {
    const { w, day } = await shopWithDay({ money: { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 } });
    const [c] = customers as [Account];
    const b = await accepted(w, c, day[4]!, GOOD);
    expect(await payment(b.id)).toMatchObject({ status: 'authorized' });

    const socket = await connect(es.server.url, { token: c.token });
    try {
      const pushed = nextEvent(socket, 'booking:changed', (e) => e.booking.id === b.id && e.event.type === 'cancelled_by_workshop');
      // Two hours before the start: a customer cancelling now would pay the late fee; the workshop's cancel costs nothing.
      const cancelled = await atInstant(clock, Date.parse(b.startsAt) - 2 * HOUR, async () => expectStatus(await workshopCancel(b.id, 'The lift is broken', w.vendor), 200).booking);
      expect(cancelled.status).toBe('cancelled');
      const e = await pushed;
      expect(e.event).toMatchObject({ actorRole: 'vendor', disruption: { kind: 'cancelled', reason: 'The lift is broken' } });
      expect(e.event.disruption!.alternatives.length).toBe(3);
      expect(e.event.disruption!.alternatives[0]!.startsAt).toBe(iso(day[3]!)); // 30 minutes before (earlier wins a tie with day[5])
    } finally {
      socket.disconnect();
    }
    expect(await payment(b.id)).toMatchObject({ status: 'voided', captured: 0, fee: 0, feeOwed: 0, pending: null });
    const d = await detail(b.id, c);
    expect(d.events.at(-1)).toMatchObject({ type: 'cancelled_by_workshop', actorRole: 'vendor', data: { reason: 'The lift is broken' } });
    expect(await outbox(b.id)).toContainEqual({ template: 'booking_cancelled_by_workshop', recipient_id: c.id });
    await expectSlotInvariants(es.server, w.workshop.id, [day[4]!.id]);
    // Once only, and a reason is required.
    expect((await workshopCancel(b.id, 'again', w.vendor)).response.status).toBe(409);
    const other = await accepted(w, c, day[6]!, GOOD);
    const empty = await workshopCancel(other.id, '  ', w.vendor);
    expect({ status: empty.response.status, code: empty.error?.error.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await workshopCancel(other.id, 'x'.repeat(501), w.vendor)).response.status).toBe(400);
  });

  it('refunds in full what an early capture took (no fee kept), through the provider and the ledger', async () => {
    const w = await quickWorkshop(es, { bays: 1, money: { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 } });
    const far = await dayOfSlots(es.server, w.workshop.id, clock.now(), 10);
    const [, c] = customers as [Account, Account];
    const b = await accepted(w, c, far[2]!, GOOD);
    // The authorization would lapse before the start: the sweep captures it early (limited to this booking).
    const s = es.server.services;
    const store = s.bookingPayments.store;
    const flow = createPaymentFlow({
      provider: s.payments.provider, ledger: s.ledger, clock, disputeWindowHours: 72,
      store: { ...store, lapsingAuthorizations: async (before, limit) => (await store.lapsingAuthorizations(before, 100_000)).filter((id) => id === b.id).slice(0, limit) },
      hasOpenDispute: async () => false,
      bookingOf: (id) => s.stores.bookings.findById(id),
    });
    const p = (await payment(b.id))!;
    await atInstant(clock, p.authorizationExpiresAt!.getTime() - 12 * HOUR, () => flow.captureBeforeLapse());
    expect(await payment(b.id)).toMatchObject({ status: 'captured', captured: 5000 });

    await atInstant(clock, Date.parse(b.startsAt) - 2 * HOUR, async () => expectStatus(await workshopCancel(b.id, 'Our mechanic is ill', w.vendor), 200));
    expect(await payment(b.id)).toMatchObject({ status: 'refunded', captured: 5000, refunded: 5000, fee: 0, feeOwed: 0, pending: null });
    const kinds = (await db.query<{ kind: string }>('select kind from ledger_txn where booking_id = $1 order by created_at', [b.id])).rows.map((r) => r.kind);
    expect(kinds).toEqual(['capture', 'refund']);
    expect(await s.ledger.position(b.id)).toMatchObject({ captured: 5000, refunded: 5000, escrowed: 0 });
  });
});

describe('the workshop moves a booking', () => {
  it('to the nearest free run: capacity moves in Redis and Postgres, the customer gets the reason and 3 alternatives, takes one in one click (once)', async () => {
    const { w, day } = await shopWithDay();
    const [c, other] = customers as [Account, Account];
    const b = await accepted(w, c, day[4]!); // 10:00
    await accepted(w, other, day[5]!); // 10:30 is taken
    const socket = await connect(es.server.url, { token: c.token });
    let moved;
    try {
      const pushed = nextEvent(socket, 'booking:changed', (e) => e.booking.id === b.id && e.event.type === 'moved_by_workshop');
      moved = expectStatus(await workshopMove(b.id, 'nearest', 'A bay is out of service', w.vendor), 200).booking;
      const e = await pushed;
      expect(e.booking.startsAt).toBe(iso(day[3]!));
      expect(e.event.disruption).toMatchObject({ kind: 'moved', reason: 'A bay is out of service' });
      // Nearest the original 10:00 first, earlier on a tie; the run it went to and taken ones left out.
      expect(e.event.disruption!.alternatives.map((r) => r.startsAt)).toEqual([iso(day[2]!), iso(day[6]!), iso(day[1]!)]);
    } finally {
      socket.disconnect();
    }
    expect(moved).toMatchObject({ id: b.id, status: 'accepted', slotIds: [day[3]!.id], startsAt: iso(day[3]!) });
    const d = await detail(b.id, c);
    expect(d.events.at(-1)).toMatchObject({ type: 'moved_by_workshop', actorRole: 'vendor', data: { reason: 'A bay is out of service', from: [day[4]!.id], to: [day[3]!.id] } });
    expect(await outbox(b.id)).toContainEqual({ template: 'booking_moved_by_workshop', recipient_id: c.id });
    const ids = day.slice(0, 8).map((s) => s.id);
    const { pg: counts } = await expectSlotInvariants(es.server, w.workshop.id, ids);
    expect([counts.get(day[3]!.id)!.booked, counts.get(day[4]!.id)!.booked]).toEqual([1, 0]);

    // The customer's alternatives, fresh; one click takes 11:00 (applied at once, not a request to the desk).
    const alternatives = expectStatus(await as(c).GET('/api/v1/bookings/{id}/alternatives', onBooking(b.id)), 200).runs;
    expect(alternatives.map((r) => r.startsAt)).toContain(iso(day[6]!));
    const taken = expectStatus(await as(c).POST('/api/v1/bookings/{id}/alternatives/accept', { ...onBooking(b.id), body: { startsAt: iso(day[6]!) } }), 200).booking;
    expect(taken).toMatchObject({ id: b.id, status: 'accepted', slotIds: [day[6]!.id] });
    expect((await detail(b.id, c)).events.at(-1)).toMatchObject({ type: 'rescheduled', actorRole: 'customer', data: { alternative: true } });
    await expectSlotInvariants(es.server, w.workshop.id, ids);
    // Once per workshop move.
    const again = await as(c).POST('/api/v1/bookings/{id}/alternatives/accept', { ...onBooking(b.id), body: { startsAt: iso(day[7]!) } });
    expect({ status: again.response.status, code: again.error?.error.code }).toEqual({ status: 409, code: 'INVALID_TRANSITION' });
  });

  it('to a given start; the customer may cancel it for free instead, even inside the late window', async () => {
    const { w, day } = await shopWithDay({ money: { paymentMode: 'full', freeCancelHours: 24, lateCancelFeeBps: 2000, noShowFeeBps: 5000 } });
    const [c] = customers as [Account];
    const b = await accepted(w, c, day[4]!, GOOD);
    const taken = await workshopMove(b.id, iso(day[4]!), 'same time', w.vendor);
    expect(taken.response.status).toBe(409); // its own slots are no target
    expectStatus(await workshopMove(b.id, iso(day[10]!), 'The morning is full of MOTs', w.vendor), 200);
    await atInstant(clock, Date.parse(iso(day[10]!)) - 2 * HOUR, async () => {
      const r = expectStatus(await as(c).POST('/api/v1/bookings/{id}/cancel-after-move', onBooking(b.id)), 200).booking;
      expect(r.status).toBe('cancelled');
    });
    expect(await payment(b.id)).toMatchObject({ status: 'voided', fee: 0 });
    await expectSlotInvariants(es.server, w.workshop.id, [day[4]!.id, day[10]!.id]);
  });

  it('a visit of two services moves as one run of its own length', async () => {
    const { w, day } = await shopWithDay({ services: [{ durationMinutes: 30 }, { durationMinutes: 30 }] });
    const [, , , c] = customers as [Account, Account, Account, Account];
    const held = expectStatus(await as(c).POST('/api/v1/holds', { body: { workshopId: w.workshop.id, serviceIds: w.services.map((x) => x.id), slotId: day[4]!.id } }), 201);
    const b = expectStatus(await as(c).POST('/api/v1/bookings', { body: { holdId: held.hold.id } }), 201).booking;
    expect(b.slotIds).toEqual([day[4]!.id, day[5]!.id]);
    // 09:00–10:00 is the nearest free hour that does not overlap its own (09:30 would).
    const moved = expectStatus(await workshopMove(b.id, 'nearest', 'Short of staff', w.vendor), 200).booking;
    expect(moved.slotIds).toEqual([day[2]!.id, day[3]!.id]);
    await expectSlotInvariants(es.server, w.workshop.id, day.slice(0, 8).map((s) => s.id));
  });

  it('racing a customer hold for the same last bay: exactly one wins, and Redis and Postgres agree', async () => {
    const { w, day } = await shopWithDay();
    const [c, racer] = customers.slice(6) as [Account, Account];
    for (const round of [0, 1, 2, 3]) {
      const b = await accepted(w, c, day[round]!);
      const target = day[10 + round]!;
      const [move, hold] = await together<{ response: Response; data?: unknown; error?: unknown }>([
        () => workshopMove(b.id, iso(target), 'Race', w.vendor),
        () => as(racer).POST('/api/v1/holds', { body: { workshopId: w.workshop.id, serviceId: w.service.id, slotId: target.id } }),
      ]);
      const wins = [move!.response.status === 200, hold!.response.status === 201];
      expect(wins.filter(Boolean), `round ${round}: move ${move!.response.status}, hold ${hold!.response.status}`).toHaveLength(1);
      const counts = await expectSlotInvariants(es.server, w.workshop.id, [day[round]!.id, target.id], `round ${round}`);
      expect(counts.pg.get(target.id)!.booked + counts.redis.get(target.id)!.held).toBe(1);
      const after = await detail(b.id, c);
      expect(after.slotIds).toEqual([wins[0] ? target.id : day[round]!.id]);
      if (wins[1]) expect((await as(racer).DELETE('/api/v1/holds/{id}', { params: { path: { id: (hold!.data as { hold: { id: string } }).hold.id } } })).response.status).toBe(204);
    }
  });
});

describe('closing a day that has bookings', () => {
  it('answers 409 with the list; with a resolution for each it moves or cancels them and closes the day, none left on it', async () => {
    const { w, day } = await shopWithDay({ bays: 2 });
    const [a, b, c] = customers as [Account, Account, Account];
    const first = await accepted(w, a, day[2]!);
    const second = await accepted(w, b, day[3]!);
    const pending = await bookAs(es, w, c, day[4]!.id);
    const date = localDayOf(day[2]!.startsAt, LONDON);

    const refused = await closeDay(w, { date, reason: 'Flood' });
    expect(refused.response.status).toBe(409);
    expect(refused.error!.error.code).toBe('DAY_HAS_BOOKINGS');
    const details = refused.error!.error.details as DayHasBookingsDetails;
    expect(details.bookings.map((x) => x.id).sort()).toEqual([first.id, second.id, pending.id].sort());
    expect(details.bookings.find((x) => x.id === first.id)).toMatchObject({ startsAt: first.startsAt, serviceName: first.serviceName });
    // Some but not all resolved: still 409, nothing applied.
    const partial = await closeDay(w, { date, resolutions: [{ bookingId: first.id, action: 'cancel', reason: 'Flood' }] });
    expect(partial.response.status).toBe(409);
    expect((await detail(first.id, a)).status).toBe('accepted');
    // A move onto the closing day itself is refused (and nothing is closed).
    const onDay = await closeDay(w, { date, resolutions: [
      { bookingId: first.id, action: 'cancel', reason: 'Flood' },
      { bookingId: second.id, action: 'move', to: iso(day[8]!), reason: 'Flood' },
      { bookingId: pending.id, action: 'move', to: 'nearest', reason: 'Flood' },
    ] });
    expect(onDay.response.status).toBe(409);
    const failed = onDay.error!.error.details as DayHasBookingsDetails;
    expect(failed.failures).toEqual([expect.objectContaining({ bookingId: second.id, code: 'VALIDATION_FAILED' })]);
    expect(failed.bookings.map((x) => x.id)).toEqual([second.id]); // the others were resolved and stay so
    expect(failed.resolved.map((x) => x.bookingId).sort()).toEqual([first.id, pending.id].sort());

    const closed = expectStatus(await closeDay(w, { date, reason: 'Flood', resolutions: [{ bookingId: second.id, action: 'move', to: 'nearest', reason: 'Flood' }] }), 201);
    expect(closed.closure.date).toBe(date);
    expect(closed.stillOnDay).toEqual([]);
    expect(closed.resolved).toEqual([expect.objectContaining({ bookingId: second.id, outcome: 'moved' })]);
    expect((await detail(first.id, a))).toMatchObject({ status: 'cancelled' });
    for (const [id, who, status] of [[second.id, b, 'accepted'], [pending.id, c, 'pending']] as const) {
      const moved = await detail(id, who);
      expect(moved.status).toBe(status);
      expect(localDayOf(new Date(moved.startsAt), LONDON)).not.toBe(date);
      expect(moved.events.at(-1)).toMatchObject({ type: 'moved_by_workshop', data: { reason: 'Flood' } });
    }
    const active = (await db.query(`select count(*)::int as n from booking where workshop_id = $1 and status in ('pending', 'accepted', 'in_progress') and starts_at >= $2 and starts_at < $3`,
      [w.workshop.id, day[0]!.startsAt, day.at(-1)!.endsAt])).rows[0].n;
    expect(active).toBe(0);
    // The closed day sells nothing and holds nothing (a slot kept for a cancelled booking's history is withdrawn and empty);
    // where the bookings went, Redis and Postgres agree.
    const left = (await db.query<{ withdrawn: boolean; booked: number; capacity: number }>('select withdrawn, booked, capacity from slot where id = any($1)', [day.map((s) => s.id)])).rows;
    for (const slot of left) expect(slot).toEqual({ withdrawn: true, booked: 0, capacity: 0 });
    const query = { from: day[0]!.startsAt.toISOString(), to: day.at(-1)!.endsAt.toISOString() };
    expect(expectStatus(await as(null).GET('/api/v1/workshops/{id}/availability', { params: { path: { id: w.workshop.id }, query } }), 200).slots).toEqual([]);
    const moved = [await detail(second.id, b), await detail(pending.id, c)].flatMap((x) => x.slotIds);
    await expectSlotInvariants(es.server, w.workshop.id, moved);
  });

  it('a day without bookings closes at once, as before', async () => {
    const { w, day } = await shopWithDay();
    const date = localDayOf(day[0]!.startsAt, LONDON);
    expect(expectStatus(await closeDay(w, { date }), 201)).toMatchObject({ resolved: [], stillOnDay: [] });
  });
});

describe('who may disrupt', () => {
  let w: Ws;
  let other: Ws;
  let day: SlotRow[];
  let owner: Account;
  let stranger: Account;
  beforeAll(async () => {
    ({ w, day } = await shopWithDay({ bays: 3 }));
    other = await quickWorkshop(es, { bays: 1 });
    [, , , , owner, stranger] = customers as [Account, Account, Account, Account, Account, Account];
  });

  type Call = (c: HoldfastClient, bookingId: string) => Promise<{ response: Response }>;
  const vendorRoutes: Array<[string, Call]> = [
    ['POST workshop-cancel', (c, id) => c.POST('/api/v1/bookings/{id}/workshop-cancel', { ...onBooking(id), body: { reason: 'r' } })],
    ['POST workshop-move', (c, id) => c.POST('/api/v1/bookings/{id}/workshop-move', { ...onBooking(id), body: { to: 'nearest', reason: 'r' } })],
    ['GET free-runs', (c, id) => c.GET('/api/v1/bookings/{id}/free-runs', onBooking(id))],
  ];
  const customerRoutes: Array<[string, Call]> = [
    ['GET alternatives', (c, id) => c.GET('/api/v1/bookings/{id}/alternatives', onBooking(id))],
    ['POST alternatives/accept', (c, id) => c.POST('/api/v1/bookings/{id}/alternatives/accept', { ...onBooking(id), body: { startsAt: new Date(clock.now() + 3 * 86_400_000).toISOString() } })],
    ['POST cancel-after-move', (c, id) => c.POST('/api/v1/bookings/{id}/cancel-after-move', onBooking(id))],
  ];

  it('vendor routes: anonymous 401, customers 403, another workshop\'s vendor never touches the booking (404), the owner 200', async () => {
    for (const [name, call] of vendorRoutes) {
      const b = await accepted(w, owner, day[vendorRoutes.findIndex(([n]) => n === name)]!);
      expect((await call(as(null), b.id)).response.status, `${name} anonymous`).toBe(401);
      expect((await call(as(owner), b.id)).response.status, `${name} customer`).toBe(403);
      expect((await call(as(other.vendor), b.id)).response.status, `${name} vendor B`).toBe(404);
      expect((await call(as(other.admin), b.id)).response.status, `${name} admin`).toBe(403);
      expect((await detail(b.id, owner)).slotIds, `${name}: untouched by the others`).toEqual(b.slotIds);
      expect((await call(as(w.vendor), b.id)).response.status, `${name} owner`).toBe(200);
    }
  });

  it('customer routes: anonymous 401, vendors 403, another customer 404', async () => {
    const b = await accepted(w, owner, day[8]!);
    for (const [name, call] of customerRoutes) {
      expect((await call(as(null), b.id)).response.status, `${name} anonymous`).toBe(401);
      expect((await call(as(w.vendor), b.id)).response.status, `${name} vendor`).toBe(403);
      expect((await call(as(stranger), b.id)).response.status, `${name} other customer`).toBe(404);
    }
    // Without a workshop move there is nothing to answer.
    expect((await customerRoutes[2]![1](as(owner), b.id)).response.status).toBe(409);
  });

  it('closing a day: vendor B and customers 403, anonymous 401; nothing closes', async () => {
    const date = localDayOf(day[0]!.startsAt, LONDON);
    expect((await closeDay(w, { date }, null)).response.status).toBe(401);
    expect((await closeDay(w, { date }, owner)).response.status).toBe(403);
    expect((await closeDay(w, { date }, other.vendor)).response.status).toBe(403);
    expect(expectStatus(await as(null).GET('/api/v1/workshops/{id}', { params: { path: { id: w.workshop.id } } }), 200).workshop.closures).toEqual([]);
  });
});
