import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiPaths } from '@shared/api/client';
import type { ApiErrorBody } from '@shared/errors';
import { manualClock } from '../domain/clock';
import type { SlotRow } from '../domain/catalog-ports';
import { type Account, dayOfSlots, expectSlotInvariants, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer } from './fixtures';
import { expectStatus, useOwnDatabase } from './harness';

// A manual clock drives the accept SLA; no background sweepers, so expiry happens only when asked.
// A database of its own: the accept-SLA sweep below runs on a moved clock, which on the shared
// database would expire other files' pending requests.
const database = useOwnDatabase('lifecycle');
const clock = manualClock();
let es: EngineServer;
let ws: Awaited<ReturnType<typeof quickWorkshop>>;
let otherVendor: Account;
let day: SlotRow[];
let customer: Account;
let stranger: Account;
let nextSlot = 0;

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false, env: { DATABASE_URL: database() } });
  ws = await quickWorkshop(es, { bays: 2 });
  otherVendor = (await quickWorkshop(es, { bays: 1 })).vendor;
  day = [...(await dayOfSlots(es.server, ws.workshop.id, clock.now(), 2)), ...(await dayOfSlots(es.server, ws.workshop.id, clock.now(), 3))];
  [customer, stranger] = (await quickAccounts(es.server, 2)) as [Account, Account];
});
afterAll(() => es?.server.close());

type Booking = { id: string; status: string; slotIds: string[]; version: number; startsAt: string };

/** Runs `fn` with the server's clock `minutes` from the booking's start, then puts the clock back. */
async function atStart<T>(b: Booking, minutes: number, fn: () => Promise<T>): Promise<T> {
  const saved = clock.now();
  clock.set(Date.parse(b.startsAt) + minutes * 60_000);
  try {
    return await fn();
  } finally {
    clock.set(saved);
  }
}

/** Holds and confirms a fresh slot of the day (each booking gets its own slot, so capacity checks stay exact). */
async function book(who: Account = customer, workshop = ws): Promise<Booking> {
  const slot = day[nextSlot++]!;
  const as = es.api.typed(who.token);
  const h = expectStatus(await as.POST('/api/v1/holds', { body: { workshopId: workshop.workshop.id, serviceId: workshop.service.id, slotId: slot.id } }), 201);
  return expectStatus(await as.POST('/api/v1/bookings', { body: { holdId: h.hold.id } }), 201).booking;
}

type Action = ApiPaths['/api/v1/bookings/{id}/{action}']['post']['parameters']['path']['action'];
const act = (b: Booking, action: Action, who?: Account, body?: { reason?: string }) =>
  es.api.typed(who?.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: b.id, action } }, body });
type Reply = Awaited<ReturnType<typeof act>>;

async function expectOk(res: Reply, status: string) {
  expect(res.response.status, JSON.stringify(res.error ?? res.data)).toBe(200);
  expect(res.data!.booking.status).toBe(status);
  return res.data!.booking as Booking;
}
function expectError(res: { response: Response; data?: unknown; error?: ApiErrorBody }, status: number, code: string) {
  expect(res.response.status, JSON.stringify(res.error ?? res.data)).toBe(status);
  expect(res.error!.error.code).toBe(code);
}

/** The booking as `who` reads it (200 expected). */
const fetchBooking = async (id: string, who: Account = customer) =>
  expectStatus(await es.api.typed(who.token).GET('/api/v1/bookings/{id}', { params: { path: { id } } }), 200).booking;

/** The booking's units as Postgres and Redis see them. */
async function unitsOf(b: Booking) {
  const { pg, redis } = await expectSlotInvariants(es.server, ws.workshop.id, b.slotIds);
  const id = b.slotIds[0]!;
  return { booked: pg.get(id)!.booked, free: redis.get(id)!.free, redisBooked: redis.get(id)!.booked };
}

const eventsOf = async (b: Booking, who: Account = customer) => (await fetchBooking(b.id, who)).events.map((e) => `${e.type}:${e.actorRole}`);

describe('booking lifecycle over HTTP: every allowed transition per role', () => {
  it('vendor: accept → start → complete', async () => {
    const b = await book();
    await expectOk(await act(b, 'accept', ws.vendor), 'accepted');
    const done = await atStart(b, 5, async () => {
      await expectOk(await act(b, 'start', ws.vendor), 'in_progress');
      return expectOk(await act(b, 'complete', ws.vendor), 'completed');
    });
    expect(done.version).toBe(4);
    expect(await eventsOf(b)).toEqual(['requested:customer', 'accepted:vendor', 'started:vendor', 'completed:vendor']);
    // Completed work keeps its unit: nothing is given back.
    expect(await unitsOf(b)).toEqual({ booked: 1, free: 1, redisBooked: 1 });
  });

  it('admin: accept → start → complete', async () => {
    const b = await book();
    await expectOk(await act(b, 'accept', ws.admin), 'accepted');
    await atStart(b, -30, async () => {
      await expectOk(await act(b, 'start', ws.admin), 'in_progress');
      await expectOk(await act(b, 'complete', ws.admin), 'completed');
    });
    expect(await eventsOf(b)).toEqual(['requested:customer', 'accepted:admin', 'started:admin', 'completed:admin']);
  });

  it('vendor and admin decline a pending booking; its unit comes back in Postgres and Redis', async () => {
    for (const who of [ws.vendor, ws.admin]) {
      const b = await book();
      expect(await unitsOf(b)).toEqual({ booked: 1, free: 1, redisBooked: 1 });
      await expectOk(await act(b, 'decline', who, { reason: 'No parts' }), 'declined');
      expect(await unitsOf(b)).toEqual({ booked: 0, free: 2, redisBooked: 0 });
      expect((await eventsOf(b)).at(-1)).toBe(`declined:${who.role}`);
    }
  });

  it('customer and admin cancel a pending booking and an accepted one; units come back each time', async () => {
    for (const accepted of [false, true]) {
      for (const who of [customer, ws.admin]) {
        const b = await book();
        if (accepted) await expectOk(await act(b, 'accept', ws.vendor), 'accepted');
        await expectOk(await act(b, 'cancel', who), 'cancelled');
        expect(await unitsOf(b)).toEqual({ booked: 0, free: 2, redisBooked: 0 });
        expect((await eventsOf(b)).at(-1)).toBe(`cancelled:${who.role}`);
      }
    }
  });

  it('vendor and admin mark an accepted booking no-show (the unit is not given back)', async () => {
    for (const who of [ws.vendor, ws.admin]) {
      const b = await book();
      await expectOk(await act(b, 'accept', ws.vendor), 'accepted');
      await atStart(b, 20, async () => expectOk(await act(b, 'no-show', who), 'no_show'));
      expect(await unitsOf(b)).toEqual({ booked: 1, free: 1, redisBooked: 1 });
    }
  });

  it('a decline carries its reason to the customer; the customer answers a no-show once and admins see the answer', async () => {
    const declined = await book();
    await expectOk(await act(declined, 'decline', ws.vendor, { reason: 'Fully booked at that time' }), 'declined');
    const seen = expectStatus(await es.api.typed(customer.token).GET('/api/v1/bookings/{id}', { params: { path: { id: declined.id } } }), 200).booking;
    expect(seen.events.find((e) => e.type === 'declined')?.data).toEqual({ reason: 'Fully booked at that time' });

    const b = await book();
    await expectOk(await act(b, 'accept', ws.vendor), 'accepted');
    const respond = (who: Account, text: string) =>
      es.api.typed(who.token).POST('/api/v1/bookings/{id}/no-show-response', { params: { path: { id: b.id } }, body: { text } });
    expectError(await respond(customer, 'I am on my way'), 409, 'INVALID_TRANSITION'); // not a no-show yet
    await atStart(b, 20, async () => expectOk(await act(b, 'no-show', ws.vendor, { reason: 'The customer did not arrive' }), 'no_show'));

    expectError(await respond(stranger, 'I was there at nine'), 404, 'NOT_FOUND');
    expectError(await respond(customer, 'no'), 400, 'VALIDATION_FAILED');
    expect((await respond(customer, 'I was there at 08:55 and the door was locked.')).response.status).toBe(200);
    expectError(await respond(customer, 'And again'), 409, 'CONFLICT');
    const history = expectStatus(await es.api.typed(ws.vendor.token).GET('/api/v1/bookings/{id}', { params: { path: { id: b.id } } }), 200).booking.events;
    expect(history.map((e) => e.type).slice(-2)).toEqual(['no_show', 'no_show_response']);
    expect(history.at(-2)!.data).toEqual({ reason: 'The customer did not arrive' });

    const list = expectStatus(await es.api.typed(ws.admin.token).GET('/api/v1/admin/no-show-responses'), 200).responses;
    expect(list[0]).toMatchObject({ booking: { id: b.id, status: 'no_show' }, event: { type: 'no_show_response', actorRole: 'customer', data: { text: 'I was there at 08:55 and the door was locked.' } } });
    expect((await es.api.typed(ws.vendor.token).GET('/api/v1/admin/no-show-responses')).response.status).toBe(403);
  });

  it('auto-accept workshops skip pending', async () => {
    const auto = await quickWorkshop(es, { bays: 1, autoAccept: true });
    const [slot] = await dayOfSlots(es.server, auto.workshop.id, clock.now());
    const as = es.api.typed(customer.token);
    const h = await as.POST('/api/v1/holds', { body: { workshopId: auto.workshop.id, serviceId: auto.service.id, slotId: slot!.id } });
    const b = await as.POST('/api/v1/bookings', { body: { holdId: h.data!.hold.id } });
    expect(b.response.status).toBe(201);
    expect(b.data!.booking).toMatchObject({ status: 'accepted', acceptDeadline: null });
    expect(await eventsOf(b.data!.booking)).toEqual(['requested:customer', 'accepted:system']);
  });
});

describe('forbidden transitions', () => {
  it('answers 403 for the wrong role, 409 INVALID_TRANSITION for the wrong state, 404 for other people’s bookings', async () => {
    const b = await book();
    expectError(await act(b, 'accept', customer), 403, 'FORBIDDEN');
    expectError(await act(b, 'decline', customer), 403, 'FORBIDDEN');
    expectError(await act(b, 'cancel', ws.vendor), 403, 'FORBIDDEN');
    expectError(await act(b, 'complete', ws.vendor), 409, 'INVALID_TRANSITION');
    expectError(await act(b, 'start', ws.admin), 409, 'INVALID_TRANSITION');
    // Vendor B and customer D cannot see, let alone change, this booking.
    expectError(await act(b, 'accept', otherVendor), 404, 'NOT_FOUND');
    expectError(await es.api.typed(otherVendor.token).GET('/api/v1/bookings/{id}', { params: { path: { id: b.id } } }), 404, 'NOT_FOUND');
    expectError(await act(b, 'cancel', stranger), 404, 'NOT_FOUND');
    expectError(await es.api.typed(stranger.token).GET('/api/v1/bookings/{id}', { params: { path: { id: b.id } } }), 404, 'NOT_FOUND');
    // 'expire' belongs to the server alone: not a URL action (the contract has no such action, so this one goes raw).
    expect((await es.api.post(`/api/v1/bookings/${b.id}/expire`, undefined, ws.admin.token)).status).toBe(400);
    expect((await act(b, 'accept')).response.status).toBe(401);

    await expectOk(await act(b, 'accept', ws.vendor), 'accepted');
    expectError(await act(b, 'start', customer), 403, 'FORBIDDEN');
    expectError(await act(b, 'no-show', customer), 403, 'FORBIDDEN');
    expectError(await act(b, 'cancel', ws.vendor), 403, 'FORBIDDEN');
    expectError(await act(b, 'accept', ws.vendor), 409, 'INVALID_TRANSITION');
    expectError(await act(b, 'decline', ws.vendor), 409, 'INVALID_TRANSITION');

    await atStart(b, 0, async () => {
      await expectOk(await act(b, 'start', ws.vendor), 'in_progress');
      expectError(await act(b, 'complete', customer), 403, 'FORBIDDEN');
      expectError(await act(b, 'cancel', customer), 409, 'INVALID_TRANSITION');
      expectError(await act(b, 'cancel', ws.admin), 409, 'INVALID_TRANSITION');
      await expectOk(await act(b, 'complete', ws.vendor), 'completed');
      for (const action of ['accept', 'decline', 'cancel', 'start', 'complete', 'no-show'] as const) {
        expectError(await act(b, action, ws.admin), 409, 'INVALID_TRANSITION');
      }
    });

    const c = await book();
    await expectOk(await act(c, 'cancel', customer), 'cancelled');
    expectError(await act(c, 'accept', ws.vendor), 409, 'INVALID_TRANSITION');
    expectError(await act(c, 'cancel', customer), 409, 'INVALID_TRANSITION');
    // A refused transition changes nothing: the unit was given back exactly once.
    expect(await unitsOf(c)).toEqual({ booked: 0, free: 2, redisBooked: 0 });
    expect(await eventsOf(c)).toEqual(['requested:customer', 'cancelled:customer']);
  });
});

/** Holds every findById of `bookingId` until `parties` calls have read it, so they all act on the same version. */
function readBarrier(bookingId: string, parties: number) {
  const store = es.server.services.stores.bookings;
  const original = store.findById;
  const waiting: Array<() => void> = [];
  store.findById = async (id) => {
    const found = await original(id);
    if (id === bookingId && waiting.length < parties) {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === parties) waiting.forEach((w) => w());
      });
    }
    return found;
  };
  return () => {
    store.findById = original;
  };
}

describe('concurrent staff actions', () => {
  it('accept and decline fired together by two staff on one vendor token, both reading version 1: one 200, one 409 VERSION_CONFLICT', async () => {
    for (let round = 0; round < 3; round++) {
      const b = await book();
      const restore = readBarrier(b.id, 2);
      let res: Reply[];
      try {
        res = await Promise.all([act(b, 'accept', ws.vendor), act(b, 'decline', ws.vendor)]);
      } finally {
        restore();
      }
      const winners = res.filter((r) => r.response.status === 200);
      expect(winners).toHaveLength(1);
      const loser = res.find((r) => r.response.status !== 200)!;
      expectError(loser, 409, 'VERSION_CONFLICT');
      const final = await fetchBooking(b.id);
      expect(final.status).toBe(winners[0]!.data!.booking.status);
      expect(final.version).toBe(2);
      expect(final.events).toHaveLength(2);
      expect(await unitsOf(b)).toEqual(final.status === 'declined' ? { booked: 0, free: 2, redisBooked: 0 } : { booked: 1, free: 1, redisBooked: 1 });
    }
  });

  it('unsynchronised races (accept vs decline, decline vs cancel): exactly one wins and capacity comes back at most once', async () => {
    for (let round = 0; round < 4; round++) {
      const b = await book();
      const pair = round % 2 === 0 ? [act(b, 'accept', ws.vendor), act(b, 'decline', ws.vendor)] : [act(b, 'decline', ws.vendor), act(b, 'cancel', customer)];
      const res = await Promise.all(pair);
      expect(res.filter((r) => r.response.status === 200)).toHaveLength(1);
      const loser = res.find((r) => r.response.status !== 200)!;
      // Which error depends on whether the loser read before or after the winner wrote.
      expect(loser.response.status).toBe(409);
      expect(['VERSION_CONFLICT', 'INVALID_TRANSITION']).toContain(loser.error!.error.code);
      const final = await fetchBooking(b.id);
      expect(final.events).toHaveLength(2);
      const returned = final.status !== 'accepted';
      expect(await unitsOf(b)).toEqual(returned ? { booked: 0, free: 2, redisBooked: 0 } : { booked: 1, free: 1, redisBooked: 1 });
    }
  });

  it('ten concurrent cancels of one booking: one 200, capacity returned once', async () => {
    const b = await book();
    const restore = readBarrier(b.id, 10);
    let res: Reply[];
    try {
      res = await Promise.all(Array.from({ length: 10 }, () => act(b, 'cancel', customer)));
    } finally {
      restore();
    }
    expect(res.filter((r) => r.response.status === 200)).toHaveLength(1);
    for (const r of res.filter((x) => x.response.status !== 200)) expectError(r, 409, 'VERSION_CONFLICT');
    expect(await unitsOf(b)).toEqual({ booked: 0, free: 2, redisBooked: 0 });
  });
});

describe('accept SLA expiry', () => {
  it('a pending booking past its accept deadline expires (system event) and gives its unit back; accepted ones are untouched', async () => {
    const sla = await quickWorkshop(es, { bays: 1, acceptSlaMinutes: 1 });
    const slots = await dayOfSlots(es.server, sla.workshop.id, clock.now());
    const [c1] = await quickAccounts(es.server, 1);
    const made: Booking[] = [];
    for (const slot of slots.slice(0, 2)) {
      const as = es.api.typed(c1!.token);
      const h = await as.POST('/api/v1/holds', { body: { workshopId: sla.workshop.id, serviceId: sla.service.id, slotId: slot.id } });
      const b = await as.POST('/api/v1/bookings', { body: { holdId: h.data!.hold.id } });
      expect(b.response.status).toBe(201);
      expect(Date.parse(b.data!.booking.acceptDeadline!)).toBe(clock.now() + 60_000);
      made.push(b.data!.booking);
    }
    const [pending, accepted] = made as [Booking, Booking];
    await expectOk(await act(accepted, 'accept', sla.vendor), 'accepted');
    const ids = [pending.slotIds[0]!, accepted.slotIds[0]!];

    clock.advance(59_000);
    await es.server.services.transitions.expireOverdue();
    expect((await fetchBooking(pending.id, c1)).status).toBe('pending');

    clock.advance(1_000);
    await es.server.services.transitions.expireOverdue();
    const after = await fetchBooking(pending.id, c1);
    expect(after.status).toBe('expired');
    expect(after.events.map((e) => `${e.type}:${e.actorRole}`)).toEqual(['requested:customer', 'expired:system']);
    expect((await fetchBooking(accepted.id, c1)).status).toBe('accepted');

    const { pg, redis } = await expectSlotInvariants(es.server, sla.workshop.id, ids);
    expect(pg.get(ids[0]!)!.booked).toBe(0);
    expect(redis.get(ids[0]!)).toMatchObject({ booked: 0, free: 1 });
    expect(pg.get(ids[1]!)!.booked).toBe(1);
    // Expired is terminal, and a second sweep does not give the unit back twice.
    expectError(await act(pending, 'accept', sla.vendor), 409, 'INVALID_TRANSITION');
    await es.server.services.transitions.expireOverdue();
    expect((await redisSlots(es.server, sla.workshop.id, [ids[0]!])).get(ids[0]!)).toMatchObject({ booked: 0, free: 1 });
    await expectSlotInvariants(es.server, sla.workshop.id, ids);
  });
});

describe('time guards: the lifecycle table decides when, not only what', () => {
  it('a vendor cannot start or complete a job days early, nor mark a no-show before the start (409 TOO_EARLY); nothing changes', async () => {
    const b = await book();
    await expectOk(await act(b, 'accept', ws.vendor), 'accepted');
    // The booking is on a day two or three days after the clock's now.
    const early = await act(b, 'start', ws.vendor);
    expectError(early, 409, 'TOO_EARLY');
    expect(Date.parse((early.error!.error.details as { opensAt: string }).opensAt)).toBe(Date.parse(b.startsAt) - 60 * 60_000);
    expectError(await act(b, 'no-show', ws.vendor), 409, 'TOO_EARLY');
    expectError(await atStart(b, 10, () => act(b, 'no-show', ws.admin)), 409, 'TOO_EARLY'); // grace: 15 minutes
    await atStart(b, -60, async () => expectOk(await act(b, 'start', ws.vendor), 'in_progress'));
    expectError(await atStart(b, -24 * 60, () => act(b, 'complete', ws.vendor)), 409, 'TOO_EARLY');
    expect(await eventsOf(b)).toEqual(['requested:customer', 'accepted:vendor', 'started:vendor']);
    expect(await unitsOf(b)).toEqual({ booked: 1, free: 1, redisBooked: 1 });
  });
});

describe('after the slot has started', () => {
  it('a customer can no longer cancel (409 INVALID_TRANSITION); staff can still mark a no-show', async () => {
    const b = await book();
    await expectOk(await act(b, 'accept', ws.vendor), 'accepted');
    // Runs last in this file: the clock jumps past every slot of the chosen day.
    clock.advance(5 * 86_400_000);
    expectError(await act(b, 'cancel', customer), 409, 'INVALID_TRANSITION');
    await expectOk(await act(b, 'no-show', ws.vendor), 'no_show');
  });
});
