import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BookingStore } from '../domain/booking-ports';
import { workshopKeys } from '../redis/hold-keys';
import { expectStatus } from './harness';
import { type Account, dayOfSlots, expectSlotInvariants, holdAs, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer } from './fixtures';

/*
 * Failures after the hold was consumed: whatever Postgres did, Redis must end up agreeing with it,
 * or a unit stays "booked" in Redis for good (the slot looks full and nobody can hold it).
 */

let es: EngineServer;

beforeAll(async () => {
  es = await startEngineServer();
});
afterAll(() => es?.server.close());

type Ws = Awaited<ReturnType<typeof quickWorkshop>>;
const hold = (w: Ws, who: Account, slotId: string, serviceId?: string) => holdAs(es, w, who, slotId, serviceId);
const confirm = (holdId: string, who: Account, notes?: string) => es.api.typed(who.token).POST('/api/v1/bookings', { body: { holdId, notes } });
const reschedule = (id: string, holdId: string, who: Account) =>
  es.api.typed(who.token).POST('/api/v1/bookings/{id}/reschedule', { params: { path: { id } }, body: { holdId } });
const release = (id: string, who: Account) => es.api.typed(who.token).DELETE('/api/v1/holds/{id}', { params: { path: { id } } });

type Patchable = Pick<BookingStore, 'create' | 'reschedule'>;

/** Replaces BookingStore methods for the duration of `body` (the domain services share this very object). */
async function withStore(patch: (original: Patchable) => Partial<Patchable>, body: () => Promise<void>) {
  const store = es.server.services.stores.bookings;
  const saved: Patchable = { create: store.create, reschedule: store.reschedule };
  Object.assign(store, patch({ create: store.create.bind(store), reschedule: store.reschedule.bind(store) }));
  try {
    await body();
  } finally {
    Object.assign(store, saved);
  }
}

describe('failures after the consume', () => {
  it('text Postgres cannot store (a NUL byte in notes) is refused at the edge: 400, and the hold is untouched', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const holdId = await hold(w, c!, slot!.id);
    const res = await confirm(holdId, c!, 'a\u0000b');
    expect(res.response.status, JSON.stringify(res.error ?? res.data)).toBe(400);
    expect(res.error!.error.code).toBe('VALIDATION_FAILED');
    const { redis, pg } = await expectSlotInvariants(es.server, w.workshop.id, [slot!.id]);
    expect(pg.get(slot!.id)!.booked).toBe(0);
    expect(redis.get(slot!.id)).toMatchObject({ booked: 0, held: 1, free: 0 });
    // The same hold still confirms once the text is fixed.
    expect((await confirm(holdId, c!, 'ab')).response.status).toBe(201);
    await expectSlotInvariants(es.server, w.workshop.id, [slot!.id]);
  });

  it('a Postgres outage during confirm (before the consume, at the commit, or after it) leaves Redis agreeing with Postgres', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [s0, s1, s2] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);

    // Before the hold was consumed: nothing changed, the hold is still there and confirms on a retry.
    const kept = await hold(w, c!, s0!.id);
    await withStore(() => ({ create: async () => {
      throw new Error('connection terminated unexpectedly');
    } }), async () => {
      const res = await confirm(kept, c!);
      expect(res.response.status).toBe(500);
    });
    const before = await expectSlotInvariants(es.server, w.workshop.id, [s0!.id]);
    expect(before.redis.get(s0!.id)).toMatchObject({ booked: 0, held: 1, free: 0 });
    expect((await confirm(kept, c!)).response.status).toBe(201);

    // The hold was consumed, then the COMMIT failed: Postgres booked nothing, and Redis gives the unit back.
    await withStore(() => ({ create: async (_b, beforeCommit) => {
      await beforeCommit?.();
      throw new Error('connection terminated unexpectedly');
    } }), async () => {
      const res = await confirm(await hold(w, c!, s2!.id), c!);
      expect(res.response.status).toBe(500);
    });
    const rolledBack = await expectSlotInvariants(es.server, w.workshop.id, [s2!.id]);
    expect(rolledBack.redis.get(s2!.id)).toMatchObject({ booked: 0, held: 0, free: 1 });

    // The commit landed but its acknowledgement was lost: the booking exists, and Redis must count it.
    await withStore((original) => ({ create: async (b, beforeCommit) => {
      await original.create(b, beforeCommit);
      throw new Error('connection terminated unexpectedly');
    } }), async () => {
      const res = await confirm(await hold(w, c!, s1!.id), c!);
      expect(res.response.status).toBe(500);
    });
    const after = await expectSlotInvariants(es.server, w.workshop.id, [s1!.id]);
    expect(after.pg.get(s1!.id)!.booked).toBe(1);
    expect(after.redis.get(s1!.id)).toMatchObject({ booked: 1, held: 0, free: 0 });
  });

  it('a Postgres outage during reschedule (before or after its commit) leaves Redis agreeing with Postgres', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [a, b, d] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const booked = await confirm(await hold(w, c!, a!.id), c!);
    expect(booked.response.status).toBe(201);
    const id = booked.data!.booking.id;

    // Consumed, then the COMMIT failed: the booking stays where it was and Redis follows Postgres.
    await withStore(() => ({ reschedule: async (_r, beforeCommit) => {
      await beforeCommit?.();
      throw new Error('connection terminated unexpectedly');
    } }), async () => {
      expect((await reschedule(id, await hold(w, c!, b!.id), c!)).response.status).toBe(500);
    });
    const first = await expectSlotInvariants(es.server, w.workshop.id, [a!.id, b!.id]);
    expect([first.redis.get(a!.id)!.booked, first.redis.get(b!.id)!.booked]).toEqual([1, 0]);
    expect(first.redis.get(b!.id)!.free).toBe(1);

    await withStore((original) => ({ reschedule: async (r, beforeCommit) => {
      await original.reschedule(r, beforeCommit);
      throw new Error('connection terminated unexpectedly');
    } }), async () => {
      expect((await reschedule(id, await hold(w, c!, d!.id), c!)).response.status).toBe(500);
    });
    expect(expectStatus(await es.api.typed(c!.token).GET('/api/v1/bookings/{id}', { params: { path: { id } } }), 200).booking.slotIds).toEqual([d!.id]);
    const second = await expectSlotInvariants(es.server, w.workshop.id, [a!.id, b!.id, d!.id]);
    expect([second.redis.get(a!.id)!.booked, second.redis.get(b!.id)!.booked, second.redis.get(d!.id)!.booked]).toEqual([0, 0, 1]);
  });

  it('a 3-slot confirm that Postgres refuses on its middle slot takes no unit of the other two', async () => {
    const w = await quickWorkshop(es, { bays: 1, services: [{ durationMinutes: 30 }, { durationMinutes: 90, name: 'Long job' }] });
    const [s0, s1, s2] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c, x] = await quickAccounts(es.server, 2);
    expect((await confirm(await hold(w, x!, s1!.id), x!)).response.status).toBe(201);
    // Redis wrongly thinks the middle slot still has room.
    await es.server.redis.hincrby(workshopKeys(es.prefix, w.workshop.id).slots, `c:${s1!.id}`, 1);
    const longHold = await hold(w, c!, s0!.id, w.services[1]!.id);

    const res = await confirm(longHold, c!);
    expect(res.response.status).toBe(409);
    expect(res.error!.error.code).toBe('SLOT_UNAVAILABLE');
    const { pg, redis } = await expectSlotInvariants(es.server, w.workshop.id, [s0!.id, s1!.id, s2!.id]);
    expect([pg.get(s0!.id)!.booked, pg.get(s1!.id)!.booked, pg.get(s2!.id)!.booked]).toEqual([0, 1, 0]);
    expect([redis.get(s0!.id)!.free, redis.get(s1!.id)!.free, redis.get(s2!.id)!.free]).toEqual([1, 0, 1]);
  });

  it('a workshop suspended between hold and confirm refuses the booking (409 WORKSHOP_NOT_BOOKABLE) and books nothing', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const h = await hold(w, c!, slot!.id);
    expect((await es.api.typed(w.admin.token).POST('/api/v1/admin/workshops/{id}/suspend', { params: { path: { id: w.workshop.id } } })).response.status).toBe(200);
    const res = await confirm(h, c!);
    expect(res.response.status).toBe(409);
    expect(res.error!.error.code).toBe('WORKSHOP_NOT_BOOKABLE');
    // The hold was not consumed: releasing it gives the unit back.
    expect((await release(h, c!)).response.status).toBe(204);
    const { pg, redis } = await expectSlotInvariants(es.server, w.workshop.id, [slot!.id]);
    expect(pg.get(slot!.id)!.booked).toBe(0);
    expect((await redisSlots(es.server, w.workshop.id, [slot!.id])).get(slot!.id)).toMatchObject({ held: 0, free: 1 });
    expect(redis.get(slot!.id)!.booked).toBe(0);
  });

  it('a day the vendor closes between hold and confirm: 409 SLOT_WITHDRAWN, nothing booked, the hold let go at once', async () => {
    const w = await quickWorkshop(es, { bays: 1 });
    const [slot] = await dayOfSlots(es.server, w.workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const h = await hold(w, c!, slot!.id);
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(slot!.startsAt);
    expect((await es.api.typed(w.vendor.token).POST('/api/v1/workshops/{id}/closures', { params: { path: { id: w.workshop.id } }, body: { date } })).response.status).toBe(201);

    const res = await confirm(h, c!);
    expect(res.response.status).toBe(409);
    expect(res.error!.error.code).toBe('SLOT_WITHDRAWN');
    expect(expectStatus(await es.api.typed(c!.token).GET('/api/v1/bookings'), 200).bookings).toEqual([]);
    // Released, not left to its TTL: it no longer counts against the customer's holds.
    expect((await release(h, c!)).response.status).toBe(404);
    expect(expectStatus(await es.api.typed(c!.token).GET('/api/v1/holds'), 200).holds).toEqual([]);
  });
});
