import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { workshopKeys } from '../redis/hold-keys';
import { type Account, bookAs, dayOfSlots, expectSlotInvariants, holdAs, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer } from './fixtures';
import { expectStatus } from './harness';

let es: EngineServer;

beforeAll(async () => {
  es = await startEngineServer();
});
afterAll(() => es?.server.close());

type Ws = Awaited<ReturnType<typeof quickWorkshop>>;

const hold = (w: Ws, who: Account, slotId: string, serviceId?: string) => holdAs(es, w, who, slotId, serviceId);
const book = (w: Ws, who: Account, slotId: string, serviceId?: string) => bookAs(es, w, who, slotId, serviceId);
const onBooking = (id: string) => ({ params: { path: { id } } });
const detail = async (id: string, who: Account, on = es) => expectStatus(await on.api.typed(who.token).GET('/api/v1/bookings/{id}', onBooking(id)), 200).booking;
const reschedule = (id: string, holdId: string, who: Account, on = es) => on.api.typed(who.token).POST('/api/v1/bookings/{id}/reschedule', { ...onBooking(id), body: { holdId } });
const act = (id: string, action: 'accept' | 'cancel' | 'decline', who: Account, on = es) => on.api.typed(who.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id, action } } });
const myHolds = async (who: Account, on = es) => expectStatus(await on.api.typed(who.token).GET('/api/v1/holds'), 200).holds;
type Reply = Awaited<ReturnType<typeof reschedule>>;

describe('reschedule', () => {
  it('moves a pending and an accepted booking to a newly held slot: old units back, new slot booked, status kept, event rescheduled', async () => {
    const w = await quickWorkshop(es, { bays: 2 });
    // This workshop takes moves of accepted bookings without answering each one.
    expectStatus(await es.api.typed(w.vendor.token).PATCH('/api/v1/workshops/{id}', { params: { path: { id: w.workshop.id } }, body: { autoAcceptMoves: true } }), 200);
    const day = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    for (const accept of [false, true]) {
      const [from, to] = accept ? [day[2]!, day[3]!] : [day[0]!, day[1]!];
      const b = await book(w, c!, from.id);
      if (accept) expect((await act(b.id, 'accept', w.vendor)).response.status).toBe(200);
      const status = accept ? 'accepted' : 'pending';
      const version = accept ? 2 : 1;
      const h = await hold(w, c!, to.id);

      const moved = await reschedule(b.id, h, c!);
      expect(moved.response.status, JSON.stringify(moved.error)).toBe(200);
      expect(moved.data!.booking).toMatchObject({ id: b.id, status, slotIds: [to.id], startsAt: to.startsAt.toISOString(), version: version + 1 });
      const d = await detail(b.id, c!);
      expect(d.events.at(-1)).toMatchObject({ type: 'rescheduled', actorRole: 'customer', data: { from: [from.id], to: [to.id] } });

      const { pg, redis } = await expectSlotInvariants(es.server, w.workshop.id, [from.id, to.id]);
      expect(pg.get(from.id)!.booked).toBe(0);
      expect(pg.get(to.id)!.booked).toBe(1);
      expect(redis.get(from.id)).toMatchObject({ booked: 0, held: 0, free: 2 });
      expect(redis.get(to.id)).toMatchObject({ booked: 1, held: 0, free: 1 });
      // The hold was used up by the move.
      expect(await myHolds(c!)).toEqual([]);
    }
  });

  it('moving an accepted booking is a request the workshop answers: the old time stays until it accepts', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const day = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const b = await book(w, c!, day[0]!.id);
    expect((await act(b.id, 'accept', w.vendor)).response.status).toBe(200);

    // Asked to move to day[1]: a new pending booking that names the accepted one; both hold their unit.
    const asked = await reschedule(b.id, await hold(w, c!, day[1]!.id), c!);
    expect(asked.response.status, JSON.stringify(asked.error)).toBe(200);
    const request = asked.data!.booking;
    expect(request).toMatchObject({ status: 'pending', movesBookingId: b.id, slotIds: [day[1]!.id] });
    expect(request.id).not.toBe(b.id);
    expect((await detail(b.id, c!)).status).toBe('accepted');
    let counts = await expectSlotInvariants(es.server, w.workshop.id, [day[0]!.id, day[1]!.id]);
    expect([counts.pg.get(day[0]!.id)!.booked, counts.pg.get(day[1]!.id)!.booked]).toEqual([1, 1]);
    expect(await myHolds(c!)).toEqual([]);

    // One open request at a time.
    const again = await reschedule(b.id, await hold(w, c!, day[2]!.id), c!);
    expect(again.response.status).toBe(409);
    expect(again.error!.error.code).toBe('CONFLICT');

    // Declined: the booking keeps its time; the requested slot is free again.
    expect((await act(request.id, 'decline', w.vendor)).response.status).toBe(200);
    expect((await detail(b.id, c!)).status).toBe('accepted');
    counts = await expectSlotInvariants(es.server, w.workshop.id, [day[0]!.id, day[1]!.id]);
    expect([counts.pg.get(day[0]!.id)!.booked, counts.pg.get(day[1]!.id)!.booked]).toEqual([1, 0]);

    // Asked again and accepted: the request becomes the booking, the old one is cancelled as moved.
    for (const h of await myHolds(c!)) await es.api.typed(c!.token).DELETE('/api/v1/holds/{id}', { params: { path: { id: h.id } } });
    const second = expectStatus(await reschedule(b.id, await hold(w, c!, day[3]!.id), c!), 200).booking;
    expect((await act(second.id, 'accept', w.vendor)).response.status).toBe(200);
    const old = await detail(b.id, c!);
    expect(old.status).toBe('cancelled');
    expect(old.events.at(-1)).toMatchObject({ type: 'moved', actorRole: 'vendor', data: { to: second.id } });
    expect((await detail(second.id, c!)).status).toBe('accepted');
    counts = await expectSlotInvariants(es.server, w.workshop.id, [day[0]!.id, day[1]!.id, day[3]!.id]);
    expect([counts.pg.get(day[0]!.id)!.booked, counts.pg.get(day[1]!.id)!.booked, counts.pg.get(day[3]!.id)!.booked]).toEqual([0, 0, 1]);
    expect(counts.redis.get(day[0]!.id)).toMatchObject({ booked: 0, free: 1 });
  });

  it('a 2-slot booking shifted by one slot (overlapping runs) keeps the shared slot counted once', async () => {
    const w = await quickWorkshop(es, { bays: 2, services: [{ durationMinutes: 60 }] });
    const [s0, s1, s2] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const b = await book(w, c!, s0!.id);
    expect(b.slotIds).toEqual([s0!.id, s1!.id]);
    const moved = await reschedule(b.id, await hold(w, c!, s1!.id), c!);
    expect(moved.response.status, JSON.stringify(moved.error)).toBe(200);
    expect(moved.data!.booking.slotIds).toEqual([s1!.id, s2!.id]);
    const { pg } = await expectSlotInvariants(es.server, w.workshop.id, [s0!.id, s1!.id, s2!.id]);
    expect([pg.get(s0!.id)!.booked, pg.get(s1!.id)!.booked, pg.get(s2!.id)!.booked]).toEqual([0, 1, 1]);
  });

  it('a failed move (new slot full in Postgres though Redis let the hold through) leaves the booking untouched, and Redis is resynced', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [a, bSlot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c, x] = await quickAccounts(es.server, 2);
    const b = await book(w, c!, a!.id);
    await book(w, x!, bSlot!.id); // the new slot is now full in Postgres
    // Redis wrongly believes the full slot has room.
    await es.server.redis.hincrby(workshopKeys(es.prefix, w.workshop.id).slots, `c:${bSlot!.id}`, 1);
    const h = await hold(w, c!, bSlot!.id);

    const before = await detail(b.id, c!);
    const res = await reschedule(b.id, h, c!);
    expect(res.response.status, JSON.stringify(res.data)).toBe(409);
    expect(res.error!.error.code).toBe('SLOT_UNAVAILABLE');

    const after = await detail(b.id, c!);
    expect(after).toEqual(before);
    expect(after.events.map((e) => e.type)).toEqual(['requested']);
    const { pg, redis } = await expectSlotInvariants(es.server, w.workshop.id, [a!.id, bSlot!.id]);
    expect(pg.get(a!.id)).toEqual({ capacity: 1, booked: 1 });
    expect(pg.get(bSlot!.id)).toEqual({ capacity: 1, booked: 1 });
    expect(redis.get(bSlot!.id)).toMatchObject({ capacity: 1, booked: 1, held: 0, free: 0 });
    // The booking can still be moved somewhere that does have room.
    const [, , free] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    expect((await reschedule(b.id, await hold(w, c!, free!.id), c!)).response.status).toBe(200);
    await expectSlotInvariants(es.server, w.workshop.id, [a!.id, bSlot!.id, free!.id]);
  });

  it('two moves racing on one hold: one wins, the other answers HOLD_EXPIRED as a confirm twin does, and nothing is resynced under the winner', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [s0, s1, target] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const [b1, b2] = [await book(w, c!, s0!.id), await book(w, c!, s1!.id)];
    const h = await hold(w, c!, target!.id);

    // The loser waits on the target's row for the winner's COMMIT (which consumed the hold), then
    // finds no room: the hold is gone because its twin used it, not because Redis was wrong.
    const results = await Promise.all([reschedule(b1.id, h, c!), reschedule(b2.id, h, c!)]);
    expect(results.map((r) => r.response.status).sort(), JSON.stringify(results.map((r) => r.error ?? r.data))).toEqual([200, 409]);
    expect(results.find((r) => r.response.status === 409)!.error!.error.code).toBe('HOLD_EXPIRED');

    const { pg, redis } = await expectSlotInvariants(es.server, w.workshop.id, [s0!.id, s1!.id, target!.id]);
    expect(pg.get(target!.id)!.booked).toBe(1);
    expect(pg.get(s0!.id)!.booked + pg.get(s1!.id)!.booked).toBe(1);
    expect(redis.get(target!.id)).toMatchObject({ booked: 1, held: 0, free: 0 });
  });

  it('refuses foreign holds, other services, strangers, vendors and finished bookings without touching anything', async () => {
    const w = await quickWorkshop(es, { bays: 2, services: [{ durationMinutes: 30 }, { durationMinutes: 30, name: 'Other job' }] });
    const day = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c, d] = await quickAccounts(es.server, 2);
    const b = await book(w, c!, day[0]!.id);

    const foreign = await hold(w, d!, day[1]!.id);
    const expectRefused = (r: Reply, status: number, code: string) => {
      expect(r.response.status, JSON.stringify(r.error ?? r.data)).toBe(status);
      expect(r.error!.error.code).toBe(code);
    };
    expectRefused(await reschedule(b.id, foreign, c!), 409, 'HOLD_EXPIRED');
    expectRefused(await reschedule(b.id, foreign, d!), 404, 'NOT_FOUND');
    expectRefused(await reschedule(b.id, await hold(w, c!, day[2]!.id, w.services[1]!.id), c!), 422, 'SLOT_SERVICE_MISMATCH');
    const mine = await hold(w, c!, day[3]!.id);
    expectRefused(await reschedule(b.id, mine, w.vendor), 404, 'NOT_FOUND');
    expect((await detail(b.id, c!)).slotIds).toEqual([day[0]!.id]);

    expect((await act(b.id, 'cancel', c!)).response.status).toBe(200);
    expectRefused(await reschedule(b.id, mine, c!), 409, 'INVALID_TRANSITION');
    // Refusals before the consume leave the holds alive and counted.
    const ids = day.slice(0, 4).map((s) => s.id);
    const { redis } = await expectSlotInvariants(es.server, w.workshop.id, ids);
    expect(ids.map((id) => redis.get(id)!.held)).toEqual([0, 1, 1, 1]);
  });

  it('reschedule racing a cancel: exactly one wins, and every unit is accounted for', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const day = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    for (let round = 0; round < 3; round++) {
      const [from, to] = [day[round * 2]!, day[round * 2 + 1]!];
      const b = await book(w, c!, from.id);
      const h = await hold(w, c!, to.id);
      const [moved, cancelled] = await Promise.all([reschedule(b.id, h, c!), act(b.id, 'cancel', c!)]);
      expect([moved.response.status, cancelled.response.status].filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
      // A reschedule refused before its consume leaves the hold alive: release it (204), or it is gone (404).
      expect([204, 404]).toContain((await es.api.typed(c!.token).DELETE('/api/v1/holds/{id}', { params: { path: { id: h } } })).response.status);
      const final = await detail(b.id, c!);
      const { pg, redis } = await expectSlotInvariants(es.server, w.workshop.id, [from.id, to.id]);
      if (final.status === 'cancelled') {
        // Cancelled on whichever slot it had at that moment: nothing stays booked.
        expect(pg.get(from.id)!.booked + pg.get(to.id)!.booked).toBe(0);
      } else {
        expect(moved.response.status).toBe(200);
        expect(cancelled.response.status).toBe(409);
        expect(pg.get(to.id)!.booked).toBe(1);
      }
      for (const id of [from.id, to.id]) expect(redis.get(id)!.held).toBe(0);
    }
    expect((await redisSlots(es.server, w.workshop.id, day.slice(0, 6).map((s) => s.id))).size).toBe(6);
  });
});

describe('reschedule after the start', () => {
  it('a booking that has already started cannot be moved (409 INVALID_TRANSITION); the new hold stays the customer’s', async () => {
    const clock = manualClock();
    const own = await startEngineServer({ clock, sweepers: false });
    try {
      const w = await quickWorkshop(own, { bays: 1 });
      const [c] = await quickAccounts(own.server, 1);
      const [first] = await dayOfSlots(own.server, w.workshop.id, clock.now());
      const b = await bookAs(own, w, c!, first!.id);
      expect((await act(b.id, 'accept', w.vendor, own)).response.status).toBe(200);
      clock.set(first!.startsAt.getTime() + 60_000); // a minute into the job
      const [later] = await dayOfSlots(own.server, w.workshop.id, clock.now(), 1);
      const h = await holdAs(own, w, c!, later!.id);
      const moved = await reschedule(b.id, h, c!, own);
      expect(moved.response.status, JSON.stringify(moved.data)).toBe(409);
      expect(moved.error!.error).toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringMatching(/already started/) });
      expect(await detail(b.id, c!, own)).toMatchObject({ status: 'accepted', slotIds: [first!.id] });
      expect((await myHolds(c!, own)).map((x) => x.id)).toEqual([h]);
    } finally {
      await own.server.close();
    }
  });
});
