import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { createHoldStore, type HoldStore, type Released } from '../redis/hold-store';
import { dayOfSlots, expectSlotInvariants, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer } from './fixtures';
import { expectStatus, testEnv } from './harness';

const clock = manualClock();
let es: EngineServer;
const conns: Redis[] = [];
let sweepers: HoldStore[];

beforeAll(async () => {
  // No background sweepers: the four stores below are the only ones, racing on this server's prefix.
  es = await startEngineServer({ clock, sweepers: false });
  const url = testEnv().REDIS_URL;
  for (let i = 0; i < 4; i++) conns.push(new Redis(url));
  sweepers = conns.map((redis) => createHoldStore({ redis, prefix: es.prefix, clock }));
});
afterAll(async () => {
  for (const c of conns) c.disconnect();
  await es?.server.close();
});

/** Four sweepers on four connections, fired together; every claim they make is returned. */
async function raceSweep(): Promise<Released[]> {
  const rounds = await Promise.all(sweepers.map((s) => s.sweep()));
  return rounds.flat();
}

const hold = (workshop: { id: string }, service: { id: string }, slotId: string, who: { token: string }) =>
  es.api.typed(who.token).POST('/api/v1/holds', { body: { workshopId: workshop.id, serviceId: service.id, slotId } });
const confirmHold = (holdId: string, who: { token: string }) => es.api.typed(who.token).POST('/api/v1/bookings', { body: { holdId } });

describe('hold expiry with an injectable clock and racing sweepers', () => {
  it('a hold past its TTL is released exactly once by 4 racing sweepers; its units come back; a later confirm is 409 HOLD_EXPIRED', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 2, holdTtlSeconds: 60, services: [{ durationMinutes: 60 }] });
    const day = await dayOfSlots(es.server, workshop.id, clock.now());
    const ids = [day[0]!.id, day[1]!.id];
    const [c] = await quickAccounts(es.server, 1);
    const h = await hold(workshop, service, ids[0]!, c!);
    expect(h.response.status).toBe(201);
    expect(h.data!.hold.slotIds).toEqual(ids);
    expect(Date.parse(h.data!.hold.expiresAt)).toBe(clock.now() + 60_000);

    // Not due yet: nobody releases it.
    clock.advance(59_999);
    expect(await raceSweep()).toEqual([]);
    expect((await redisSlots(es.server, workshop.id, ids)).get(ids[0]!)).toMatchObject({ held: 1, free: 1 });

    clock.advance(1);
    const released = await raceSweep();
    expect(released.map((r) => r.hold.id)).toEqual([h.data!.hold.id]);
    expect(released[0]!.change.slots.map((s) => [s.id, s.held, s.free])).toEqual([
      [ids[0], 0, 2],
      [ids[1], 0, 2],
    ]);
    // Again, and again: nothing left to release.
    expect(await raceSweep()).toEqual([]);
    expect(await raceSweep()).toEqual([]);

    const counts = await expectSlotInvariants(es.server, workshop.id, ids);
    for (const id of ids) expect(counts.redis.get(id)).toMatchObject({ capacity: 2, booked: 0, held: 0, free: 2 });
    expect(expectStatus(await es.api.typed(c!.token).GET('/api/v1/holds'), 200).holds).toEqual([]);

    const confirm = await confirmHold(h.data!.hold.id, c!);
    expect(confirm.response.status).toBe(409);
    expect(confirm.error!.error.code).toBe('HOLD_EXPIRED');
    const { pg } = await expectSlotInvariants(es.server, workshop.id, ids);
    for (const id of ids) expect(pg.get(id)!.booked).toBe(0);
  });

  it('40 holds from 20 customers expire at once: 4 racing sweepers release each exactly once', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 4, holdTtlSeconds: 30 });
    const day = await dayOfSlots(es.server, workshop.id, clock.now());
    const ids = day.slice(0, 10).map((s) => s.id);
    const customers = await quickAccounts(es.server, 20);
    const made = await Promise.all(
      customers.flatMap((c, i) => [0, 1].map((k) => hold(workshop, service, ids[(i + k * 5) % 10]!, c))),
    );
    expect(made.map((m) => m.response.status)).toEqual(Array(40).fill(201));
    for (const id of ids) expect((await redisSlots(es.server, workshop.id, [id])).get(id)).toMatchObject({ held: 4, free: 0 });

    clock.advance(30_000);
    // Several racing rounds: whatever one round leaves (a sweep reads a batch of due entries), the next takes.
    const all: Released[] = [];
    for (let round = 0; round < 3; round++) all.push(...(await raceSweep()));
    const releasedIds = all.map((r) => r.hold.id).sort();
    expect(releasedIds).toEqual(made.map((m) => m.data!.hold.id).sort());
    expect(new Set(releasedIds).size).toBe(40);

    const { redis } = await expectSlotInvariants(es.server, workshop.id, ids);
    for (const id of ids) expect(redis.get(id)).toMatchObject({ capacity: 4, held: 0, free: 4 });
    expect(await es.server.holdStore.activeHoldCount(workshop.id)).toBe(0);
  });

  it('a confirm after the TTL but before any sweep releases the hold itself (409 HOLD_EXPIRED); sweepers then find nothing', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 1, holdTtlSeconds: 30 });
    const [slot] = await dayOfSlots(es.server, workshop.id, clock.now());
    const [c, d] = await quickAccounts(es.server, 2);
    const h = await hold(workshop, service, slot!.id, c!);
    expect(h.response.status).toBe(201);
    // While held, the only unit is taken.
    expect((await hold(workshop, service, slot!.id, d!)).response.status).toBe(409);

    clock.advance(30_001);
    const confirm = await confirmHold(h.data!.hold.id, c!);
    expect(confirm.response.status).toBe(409);
    expect(confirm.error!.error.code).toBe('HOLD_EXPIRED');
    expect(await raceSweep()).toEqual([]);
    const { redis, pg } = await expectSlotInvariants(es.server, workshop.id, [slot!.id]);
    expect(redis.get(slot!.id)).toMatchObject({ held: 0, booked: 0, free: 1 });
    expect(pg.get(slot!.id)!.booked).toBe(0);

    // The unit really is back: another customer holds and books it.
    const h2 = await hold(workshop, service, slot!.id, d!);
    expect(h2.response.status).toBe(201);
    expect((await confirmHold(h2.data!.hold.id, d!)).response.status).toBe(201);
    await expectSlotInvariants(es.server, workshop.id, [slot!.id]);
  });

  it('an extended hold is not released at its first expiry, only at the extended one, still exactly once', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 1, holdTtlSeconds: 60 });
    const [slot] = await dayOfSlots(es.server, workshop.id, clock.now());
    const [c] = await quickAccounts(es.server, 1);
    const h = await hold(workshop, service, slot!.id, c!);
    clock.advance(40_000);
    const ext = await es.api.typed(c!.token).POST('/api/v1/holds/{id}/extend', { params: { path: { id: h.data!.hold.id } } });
    expect(ext.response.status).toBe(200);
    expect(Date.parse(ext.data!.hold.expiresAt)).toBe(clock.now() + 60_000);

    clock.advance(20_000); // the original expiry
    expect(await raceSweep()).toEqual([]);
    expect((await redisSlots(es.server, workshop.id, [slot!.id])).get(slot!.id)).toMatchObject({ held: 1, free: 0 });
    clock.advance(40_000); // the extended expiry
    expect((await raceSweep()).map((r) => r.hold.id)).toEqual([h.data!.hold.id]);
    expect(await raceSweep()).toEqual([]);
    const { redis } = await expectSlotInvariants(es.server, workshop.id, [slot!.id]);
    expect(redis.get(slot!.id)).toMatchObject({ held: 0, free: 1 });
  });
});
