import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workshopKeys } from '../redis/hold-keys';
import { expectStatus } from './harness';
import { type Account, dayOfSlots, dropWorkshopKeys, expectSlotInvariants, quickAccounts, quickWorkshop, redisSlots, startEngineServer, tally, together, type EngineServer } from './fixtures';

let es: EngineServer;

beforeAll(async () => {
  es = await startEngineServer();
});
afterAll(() => es?.server.close());

const hold = (c: Account, workshopId: string, serviceId: string, slotId: string) =>
  es.api.typed(c.token).POST('/api/v1/holds', { body: { workshopId, serviceId, slotId } });
const confirmHold = (holdId: string, c: Account, headers?: Record<string, string>) => es.api.typed(c.token).POST('/api/v1/bookings', { body: { holdId }, headers });
const bookingsOf = async (c: Account) => expectStatus(await es.api.typed(c.token).GET('/api/v1/bookings'), 200).bookings;
const availabilityOf = async (workshopId: string, slotId: string) => {
  const a = expectStatus(await es.api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshopId } } }), 200);
  return { epoch: a.epoch, seq: a.seq, slot: a.slots.find((s) => s.id === slotId) };
};
const bookingCount = async (slotId: string) =>
  Number(
    (await es.server.orm.em.fork().getConnection().execute<Array<{ n: string }>>('select count(*) as n from booking_slot where slot_id = ?', [slotId]))[0]!.n,
  );

describe('Redis loses or corrupts its state: Postgres still decides', () => {
  it('keys dropped between hold and confirm: confirm answers 409 HOLD_EXPIRED, nothing is booked, availability reloads from Postgres with a new epoch', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 2 });
    const [slot] = await dayOfSlots(es.server, workshop.id, Date.now());
    const [c, d] = await quickAccounts(es.server, 2);

    // One confirmed booking first, so the reload has something to find in Postgres.
    const h0 = await hold(d!, workshop.id, service.id, slot!.id);
    expect((await confirmHold(h0.data!.hold.id, d!)).response.status).toBe(201);
    const h = await hold(c!, workshop.id, service.id, slot!.id);
    expect(h.response.status).toBe(201);
    const before = await availabilityOf(workshop.id, slot!.id);
    expect(before.slot).toMatchObject({ capacity: 2, booked: 1, held: 1, free: 0 });

    await dropWorkshopKeys(es, workshop.id, [h.data!.hold.id]);
    const k = workshopKeys(es.prefix, workshop.id);
    expect(await es.server.redis.exists(k.slots, k.meta, k.ledger, k.expiry)).toBe(0);

    const confirm = await confirmHold(h.data!.hold.id, c!, { 'Idempotency-Key': 'after-flush' });
    expect(confirm.response.status, JSON.stringify(confirm.error ?? confirm.data)).toBe(409);
    expect(confirm.error!.error.code).toBe('HOLD_EXPIRED');
    expect(await bookingCount(slot!.id)).toBe(1);
    expect((await bookingsOf(c!))).toEqual([]);

    const after = await availabilityOf(workshop.id, slot!.id);
    expect(after.epoch).not.toBe(before.epoch);
    expect(after.slot).toMatchObject({ capacity: 2, booked: 1, held: 0, free: 1 });
    await expectSlotInvariants(es.server, workshop.id, [slot!.id]);

    // The freed unit is really bookable again, and the existing booking is untouched.
    const again = await hold(c!, workshop.id, service.id, slot!.id);
    expect(again.response.status).toBe(201);
    expect((await confirmHold(again.data!.hold.id, c!)).response.status).toBe(201);
    const { pg } = await expectSlotInvariants(es.server, workshop.id, [slot!.id]);
    expect(pg.get(slot!.id)).toEqual({ capacity: 2, booked: 2 });
  });

  it('workshop keys dropped but the hold index kept: confirm still answers 409 HOLD_EXPIRED', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 1 });
    const [slot] = await dayOfSlots(es.server, workshop.id, Date.now());
    const [c] = await quickAccounts(es.server, 1);
    const h = await hold(c!, workshop.id, service.id, slot!.id);
    expect(h.response.status).toBe(201);
    const k = workshopKeys(es.prefix, workshop.id);
    await es.server.redis.del(k.slots, k.meta, k.expiry, k.ledger, k.hold(h.data!.hold.id));

    const confirm = await confirmHold(h.data!.hold.id, c!);
    expect(confirm.response.status).toBe(409);
    expect(confirm.error!.error.code).toBe('HOLD_EXPIRED');
    expect(await bookingCount(slot!.id)).toBe(0);
    expect((await availabilityOf(workshop.id, slot!.id)).slot).toMatchObject({ capacity: 1, booked: 0, held: 0, free: 1 });
  });

  it('Redis wrongly grants a third hold on a capacity-2 slot: Postgres refuses the extra booking with 409 SLOT_UNAVAILABLE and Redis is resynced', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 2 });
    const [slot] = await dayOfSlots(es.server, workshop.id, Date.now());
    const customers = await quickAccounts(es.server, 3);
    // Seed the counters, then corrupt them: Redis now believes the slot has 3 bays.
    await redisSlots(es.server, workshop.id, [slot!.id]);
    await es.server.redis.hincrby(workshopKeys(es.prefix, workshop.id).slots, `c:${slot!.id}`, 1);

    const holds = await together(customers.map((c) => () => hold(c, workshop.id, service.id, slot!.id)));
    expect(holds.map((h) => h.response.status)).toEqual([201, 201, 201]);

    const confirms = await together(customers.map((c, i) => () => confirmHold(holds[i]!.data!.hold.id, c)));
    expect(tally(confirms, (r) => `${r.response.status} ${r.error?.error.code ?? ''}`.trim())).toEqual({ '201': 2, '409 SLOT_UNAVAILABLE': 1 });
    const loser = customers[confirms.findIndex((r) => r.response.status === 409)]!;
    expect((await bookingsOf(loser))).toEqual([]);

    expect(await bookingCount(slot!.id)).toBe(2);
    const { pg, redis } = await expectSlotInvariants(es.server, workshop.id, [slot!.id]);
    expect(pg.get(slot!.id)).toEqual({ capacity: 2, booked: 2 });
    expect(redis.get(slot!.id)).toMatchObject({ capacity: 2, booked: 2, held: 0, free: 0 });

    // Resynced: the next customer is turned away by Redis already.
    const [late] = await quickAccounts(es.server, 1);
    const refused = await hold(late!, workshop.id, service.id, slot!.id);
    expect(refused.response.status).toBe(409);
    expect(refused.error!.error.code).toBe('SLOT_UNAVAILABLE');
  });

  it('even with capacity counters raised by 50 and 20 customers confirming at once, Postgres books exactly capacity', async () => {
    const { workshop, service } = await quickWorkshop(es, { bays: 3 });
    const [slot] = await dayOfSlots(es.server, workshop.id, Date.now());
    const customers = await quickAccounts(es.server, 20);
    await redisSlots(es.server, workshop.id, [slot!.id]);
    await es.server.redis.hincrby(workshopKeys(es.prefix, workshop.id).slots, `c:${slot!.id}`, 50);

    const holds = await together(customers.map((c) => () => hold(c, workshop.id, service.id, slot!.id)));
    expect(holds.every((h) => h.response.status === 201)).toBe(true);
    const confirms = await together(customers.map((c, i) => () => confirmHold(holds[i]!.data!.hold.id, c)));
    expect(tally(confirms, (r) => `${r.response.status} ${r.error?.error.code ?? ''}`.trim())).toEqual({ '201': 3, '409 SLOT_UNAVAILABLE': 17 });
    expect(await bookingCount(slot!.id)).toBe(3);
    const { redis } = await expectSlotInvariants(es.server, workshop.id, [slot!.id]);
    expect(redis.get(slot!.id)).toMatchObject({ capacity: 3, booked: 3, held: 0, free: 0 });
  });
});
