import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody } from '@shared/errors';
import { manualClock } from '../domain/clock';
import type { SlotRow } from '../domain/catalog-ports';
import { workshopKeys } from '../redis/hold-keys';
import {
  type Account, bookAs, dayOfSlots, expectSlotInvariants, liveBookingsOn, pgSlots, quickAccounts, quickWorkshop, redisSlots, startEngineServer, tally, together, type EngineServer,
} from './fixtures';
import { expectStatus } from './harness';

/*
 * Multi-service visits (issue 16): one hold and one booking for several services of one workshop,
 * their durations adding up to one consecutive run of slots on one day and their prices to the
 * booking's price. The hold takes the whole run atomically in Redis; Postgres's guarded confirm has
 * the last word on capacity, as for one service.
 */

const clock = manualClock();
let es: EngineServer;

const TIERS = { skillTiers: [{ id: 'standard', label: 'Standard', multiplier: 1 }, { id: 'senior', label: 'Senior', multiplier: 1.5 }] };
const SERVICES = [
  { name: 'Oil change', durationMinutes: 30, basePriceCents: 4999 },
  { name: 'MOT test', durationMinutes: 60, basePriceCents: 5485 },
  { name: 'Tyre check', durationMinutes: 30, basePriceCents: 2000, options: TIERS },
  { name: 'Timing belt', durationMinutes: 180, basePriceCents: 30000 },
  { name: 'Rebuild', durationMinutes: 480, basePriceCents: 90000 },
];
type Shop = Awaited<ReturnType<typeof quickWorkshop>>;
/** A workshop (08–18, 30-minute slots) with the services above, and one of its whole days two days ahead. */
async function shopWithDay(bays: number): Promise<{ shop: Shop; day: SlotRow[]; oil: string; mot: string; tyres: string; belt: string; rebuild: string }> {
  const shop = await quickWorkshop(es, { bays, services: SERVICES });
  const [oil, mot, tyres, belt, rebuild] = shop.services.map((s) => s.id) as [string, string, string, string, string];
  return { shop, day: await dayOfSlots(es.server, shop.workshop.id, clock.now()), oil, mot, tyres, belt, rebuild };
}

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false });
});
afterAll(() => es?.server.close());

type Body = Record<string, unknown>;
const holdVisit = (who: Account, shop: Shop, slotId: string, serviceIds: string[], extra: Body = {}) =>
  es.api.post('/api/v1/holds', { workshopId: shop.workshop.id, serviceIds, slotId, ...extra }, who.token);
const confirm = (who: Account, holdId: string, extra: Body = {}) => es.api.post('/api/v1/bookings', { holdId, vehicle: { registration: 'MS12 VST' }, ...extra }, who.token);
function expectError(res: { status: number; body: ApiErrorBody | any }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
}
const held = async (shop: Shop, slots: SlotRow[]) => [...(await redisSlots(es.server, shop.workshop.id, slots.map((s) => s.id))).values()].map((c) => c.held);
const serviceRows = (bookingId: string) =>
  es.server.orm.em.fork().getConnection().execute<Array<{ position: number; service_id: string; duration_minutes: number; price_cents: number; options: unknown }>>(
    'select position, service_id, duration_minutes, price_cents, options from booking_service where booking_id = ? order by position',
    [bookingId],
  );

describe('a visit of several services', () => {
  it('holds one run for the summed duration, priced as the sum; the confirm books one job with both services that every view shows', async () => {
    const { shop, day, oil, mot } = await shopWithDay(2);
    const [c] = await quickAccounts(es.server, 1);
    const res = await holdVisit(c!, shop, day[4]!.id, [oil, mot]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const hold = res.body.hold;
    // 30 + 60 minutes in 30-minute slots: three back to back from the picked one.
    expect(hold).toMatchObject({ serviceId: oil, serviceIds: [oil, mot], slotIds: day.slice(4, 7).map((s) => s.id), priceCents: 4999 + 5485, serviceOptions: { [oil]: {}, [mot]: {} } });
    expect(await held(shop, day.slice(3, 8))).toEqual([0, 1, 1, 1, 0]);
    expect((await es.api.get('/api/v1/holds', c!.token)).body.holds[0].serviceIds).toEqual([oil, mot]);

    const booked = await confirm(c!, hold.id);
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const expectedServices = [
      { serviceId: oil, name: 'Oil change', durationMinutes: 30, priceCents: 4999 },
      { serviceId: mot, name: 'MOT test', durationMinutes: 60, priceCents: 5485 },
    ];
    expect(booked.body.booking).toMatchObject({
      serviceId: oil, serviceName: 'Oil change + MOT test', services: expectedServices, priceCents: 10484, slotCount: 3,
      slotIds: day.slice(4, 7).map((s) => s.id), startsAt: day[4]!.startsAt.toISOString(), endsAt: day[6]!.endsAt.toISOString(),
    });
    const id = booked.body.booking.id as string;
    expect(await serviceRows(id)).toEqual([
      { position: 0, service_id: oil, duration_minutes: 30, price_cents: 4999, options: {} },
      { position: 1, service_id: mot, duration_minutes: 60, price_cents: 5485, options: {} },
    ]);
    // One unit of each slot of the run, in Postgres and in Redis.
    expect([...(await pgSlots(es.server, day.slice(3, 8).map((s) => s.id))).values()].map((s) => s.booked).sort()).toEqual([0, 0, 1, 1, 1]);
    await expectSlotInvariants(es.server, shop.workshop.id, day.slice(3, 8).map((s) => s.id));

    // The vendor sees one job with its services; the customer's list and detail say the same, and the payment is the sum.
    const desk = await es.api.get(`/api/v1/bookings?workshopId=${shop.workshop.id}`, shop.vendor.token);
    expect(desk.body.bookings.map((b: { id: string }) => b.id)).toEqual([id]);
    expect(desk.body.bookings[0]).toMatchObject({ serviceName: 'Oil change + MOT test', services: expectedServices, priceCents: 10484 });
    expect((await es.api.get('/api/v1/bookings', c!.token)).body.bookings[0].services).toEqual(expectedServices);
    const detail = (await es.api.get(`/api/v1/bookings/${id}`, c!.token)).body.booking;
    expect(detail.services).toEqual(expectedServices);
    expect(detail.payment).toMatchObject({ mode: 'at_workshop', priceCents: 10484 });
  });

  it('prices each service with its own options; serviceIds with one id is a one-service hold', async () => {
    const { shop, day, oil, tyres } = await shopWithDay(2);
    const [c] = await quickAccounts(es.server, 1);
    const res = await holdVisit(c!, shop, day[0]!.id, [tyres, oil], { serviceOptions: { [tyres]: { skillTier: 'senior' } } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // 2000 × 1.5 for the tyre check, the oil change at its base price.
    expect(res.body.hold).toMatchObject({ serviceId: tyres, options: { skillTier: 'senior' }, serviceOptions: { [tyres]: { skillTier: 'senior' }, [oil]: {} }, priceCents: 3000 + 4999 });
    const booking = (await confirm(c!, res.body.hold.id)).body.booking;
    expect(booking.priceCents).toBe(7999);
    expect((await serviceRows(booking.id)).map((r) => [r.service_id, r.price_cents, r.options])).toEqual([[tyres, 3000, { skillTier: 'senior' }], [oil, 4999, {}]]);

    const single = await holdVisit(c!, shop, day[6]!.id, [oil]);
    expect(single.status).toBe(201);
    expect(single.body.hold).toMatchObject({ serviceId: oil, serviceIds: [oil], slotIds: [day[6]!.id], priceCents: 4999 });
    const one = (await confirm(c!, single.body.hold.id)).body.booking;
    expect([one.serviceName, one.services.length, one.priceCents]).toEqual(['Oil change', 1, 4999]);
    expect(await serviceRows(one.id)).toHaveLength(1);
  });

  it('a workshop paid in full at booking authorizes the visit\'s summed price on the card', async () => {
    const shop = await quickWorkshop(es, { bays: 2, services: SERVICES, money: 'default' });
    const [oil, mot] = shop.services.map((s) => s.id) as [string, string];
    const day = await dayOfSlots(es.server, shop.workshop.id, clock.now());
    const [c] = await quickAccounts(es.server, 1);
    const hold = (await holdVisit(c!, shop, day[0]!.id, [oil, mot])).body.hold;
    const booked = await confirm(c!, hold.id, { paymentMethod: '4242424242424242' });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const receipt = (await es.api.get(`/api/v1/bookings/${booked.body.booking.id}`, c!.token)).body.booking.payment;
    expect(receipt).toMatchObject({ mode: 'full', status: 'authorized', priceCents: 10484, authorizedCents: 10484 });
  });

  it('is all or nothing: a visit whose later slot is full takes none of its slots', async () => {
    const { shop, day, oil, mot } = await shopWithDay(1);
    const [x, y] = await quickAccounts(es.server, 2);
    await bookAs(es, shop, x!, day[6]!.id, oil);
    const refused = await holdVisit(y!, shop, day[4]!.id, [oil, mot]);
    expectError(refused, 409, 'SLOT_UNAVAILABLE');
    expect(await held(shop, day.slice(4, 7))).toEqual([0, 0, 0]);
    // From the next slot the whole run is free.
    expect((await holdVisit(y!, shop, day[7]!.id, [oil, mot])).status).toBe(201);
    expect(await held(shop, day.slice(4, 10))).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('twelve visits racing for the same last bay: exactly one gets it, the others hold nothing', async () => {
    const { shop, day, oil, mot } = await shopWithDay(2);
    const [early, ...racers] = await quickAccounts(es.server, 13);
    for (const base of [0, 8]) {
      const last = day[base + 2]!;
      await bookAs(es, shop, early!, last.id, oil); // one of the two bays of `last` is booked
      // Every visit (90 minutes: three slots) from base, base+1 or base+2 needs `last`.
      const starts = racers.map((_, i) => day[base + (i % 3)]!);
      const res = await together(racers.map((r, i) => () => holdVisit(r, shop, starts[i]!.id, [oil, mot])));
      expect(tally(res, (r) => `${r.status} ${r.body.error?.code ?? ''}`.trim()), `round ${base}`).toEqual({ '201': 1, '409 SLOT_UNAVAILABLE': 11 });
      const winner = res.findIndex((r) => r.status === 201);
      const run = day.slice(base + (winner % 3), base + (winner % 3) + 3);
      const window = day.slice(base, base + 5);
      expect(await held(shop, window)).toEqual(window.map((s) => (run.includes(s) ? 1 : 0)));
      // The winner books it; Postgres agrees: the last bay went exactly once.
      expect((await confirm(racers[winner]!, res[winner]!.body.hold.id)).status).toBe(201);
      expect((await liveBookingsOn(es.server, [last.id])).get(last.id)).toBe(2);
      await expectSlotInvariants(es.server, shop.workshop.id, window.map((s) => s.id), `round ${base}`);
    }
  });

  it('Postgres has the last word: when Redis lost the count of a held visit, an overlapping visit is refused at confirm', async () => {
    const { shop, day, oil, mot } = await shopWithDay(1);
    const [a, b] = await quickAccounts(es.server, 2);
    const first = await holdVisit(a!, shop, day[0]!.id, [oil, mot]);
    expect(first.status).toBe(201);
    // Redis forgets that day[2] is held (a lost write): a second visit over it gets through Redis.
    await es.server.redis.hset(workshopKeys(es.prefix, shop.workshop.id).slots, `h:${day[2]!.id}`, 0);
    const second = await holdVisit(b!, shop, day[2]!.id, [oil, mot]);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const [ra, rb] = await together([() => confirm(a!, first.body.hold.id), () => confirm(b!, second.body.hold.id)]);
    expect([ra!.status, rb!.status].sort()).toEqual([201, 409]);
    expect((ra!.status === 409 ? ra! : rb!).body.error.code).toBe('SLOT_UNAVAILABLE');
    const pg = await pgSlots(es.server, day.slice(0, 5).map((s) => s.id));
    const live = await liveBookingsOn(es.server, day.slice(0, 5).map((s) => s.id));
    expect(pg.get(day[2]!.id)).toEqual({ capacity: 1, booked: 1 });
    for (const s of day.slice(0, 5)) expect(pg.get(s.id)!.booked).toBe(live.get(s.id));
  });

  it('every service must take the vehicle (VEHICLE_NOT_SUPPORTED names the one that does not); the hold is kept', async () => {
    const { shop, day, oil, mot } = await shopWithDay(2);
    const [c] = await quickAccounts(es.server, 1);
    const patched = await es.api.patch(`/api/v1/workshops/${shop.workshop.id}/services/${mot}`, { vehicleConstraints: { fuels: ['petrol', 'diesel'] } }, shop.vendor.token);
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const hold = (await holdVisit(c!, shop, day[0]!.id, [oil, mot])).body.hold;
    const refused = await confirm(c!, hold.id, { vehicle: { registration: 'EV12 CAR', fuel: 'electric' } });
    expectError(refused, 422, 'VEHICLE_NOT_SUPPORTED');
    expect(refused.body.error.message).toMatch(/^MOT test: /);
    expect(refused.body.error.details).toMatchObject({ serviceId: mot, reason: 'fuel' });
    expect((await es.api.get('/api/v1/holds', c!.token)).body.holds.map((h: { id: string }) => h.id)).toEqual([hold.id]);
    expect((await confirm(c!, hold.id, { vehicle: { registration: 'DS12 CAR', fuel: 'diesel' } })).status).toBe(201);
  });

  it('moves as a whole: a reschedule takes a hold of the same services, in the same order', async () => {
    const { shop, day, oil, mot } = await shopWithDay(2);
    const [c] = await quickAccounts(es.server, 1);
    const booking = (await confirm(c!, (await holdVisit(c!, shop, day[0]!.id, [oil, mot])).body.hold.id)).body.booking;
    const partial = (await holdVisit(c!, shop, day[10]!.id, [oil])).body.hold;
    expectError(await es.api.post(`/api/v1/bookings/${booking.id}/reschedule`, { holdId: partial.id }, c!.token), 422, 'SLOT_SERVICE_MISMATCH');
    const whole = (await holdVisit(c!, shop, day[12]!.id, [oil, mot])).body.hold;
    const moved = await es.api.post(`/api/v1/bookings/${booking.id}/reschedule`, { holdId: whole.id }, c!.token);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.booking).toMatchObject({ slotIds: day.slice(12, 15).map((s) => s.id), services: booking.services, priceCents: 10484 });
    await expectSlotInvariants(es.server, shop.workshop.id, [...day.slice(0, 3), ...day.slice(12, 15)].map((s) => s.id));
  });
});

describe('bad visits get a clear 4xx and hold nothing', () => {
  it.each([
    ['both serviceId and serviceIds', (s: Ids) => ({ serviceId: s.oil, serviceIds: [s.mot] }), 400, 'VALIDATION_FAILED'],
    ['neither serviceId nor serviceIds', () => ({}), 400, 'VALIDATION_FAILED'],
    ['an empty list', () => ({ serviceIds: [] }), 400, 'VALIDATION_FAILED'],
    ['a duplicate', (s: Ids) => ({ serviceIds: [s.oil, s.mot, s.oil] }), 400, 'VALIDATION_FAILED'],
    ['six services', (s: Ids) => ({ serviceIds: [s.oil, s.mot, s.tyres, s.belt, s.rebuild, crypto.randomUUID()] }), 400, 'VALIDATION_FAILED'],
    ['serviceOptions with serviceId', (s: Ids) => ({ serviceId: s.oil, serviceOptions: { [s.oil]: {} } }), 400, 'VALIDATION_FAILED'],
    ['options for a service not in the visit', (s: Ids) => ({ serviceIds: [s.oil], serviceOptions: { [s.mot]: {} } }), 400, 'VALIDATION_FAILED'],
    ['an option the service does not offer', (s: Ids) => ({ serviceIds: [s.oil, s.tyres], serviceOptions: { [s.tyres]: { skillTier: 'master' } } }), 400, 'VALIDATION_FAILED'],
    ['an unknown service', (s: Ids) => ({ serviceIds: [s.oil, crypto.randomUUID()] }), 422, 'SLOT_SERVICE_MISMATCH'],
    ['a service of another workshop', (s: Ids) => ({ serviceIds: [s.oil, s.foreign] }), 422, 'SLOT_SERVICE_MISMATCH'],
    ['a retired service', (s: Ids) => ({ serviceIds: [s.retired, s.oil] }), 422, 'SLOT_SERVICE_MISMATCH'],
    ['a run past closing time', (s: Ids) => ({ serviceIds: [s.oil, s.mot], slotId: s.lastSlot }), 422, 'SLOT_SERVICE_MISMATCH'],
    ['a visit longer than the day', (s: Ids) => ({ serviceIds: [s.rebuild, s.belt] }), 422, 'SLOT_SERVICE_MISMATCH'],
  ] as const)('%s → %i %s', async (_name, body, status, code) => {
    const res = await es.api.post('/api/v1/holds', { workshopId: bad.shop.workshop.id, slotId: bad.day[0]!.id, ...body(bad.ids) }, bad.customer.token);
    expectError(res, status, code);
    expect(res.body.error.message.length).toBeGreaterThan(10);
    expect((await held(bad.shop, bad.day)).every((h) => h === 0)).toBe(true);
  });

  it('names the offending service of a mismatch and the length of a run that does not fit', async () => {
    const foreign = await es.api.post('/api/v1/holds', { workshopId: bad.shop.workshop.id, slotId: bad.day[0]!.id, serviceIds: [bad.ids.oil, bad.ids.foreign] }, bad.customer.token);
    expect(foreign.body.error.details).toEqual({ serviceId: bad.ids.foreign });
    const late = await es.api.post('/api/v1/holds', { workshopId: bad.shop.workshop.id, slotId: bad.ids.lastSlot, serviceIds: [bad.ids.oil, bad.ids.mot] }, bad.customer.token);
    expect(late.body.error.message).toContain('These 2 services take 90 minutes together');
    expect(late.body.error.details).toEqual({ neededSlots: 3, durationMinutes: 90 });
  });
});

type Ids = { oil: string; mot: string; tyres: string; belt: string; rebuild: string; foreign: string; retired: string; lastSlot: string };
let bad: { shop: Shop; day: SlotRow[]; customer: Account; ids: Ids };
beforeAll(async () => {
  const { shop, day, oil, mot, tyres, belt, rebuild } = await shopWithDay(2);
  const other = await quickWorkshop(es, { bays: 1 });
  const retired = expectStatus(
    await es.api.typed(shop.vendor.token).POST('/api/v1/workshops/{id}/services', { params: { path: { id: shop.workshop.id } }, body: { name: 'Old job', category: 'maintenance', durationMinutes: 30, basePriceCents: 100, currency: 'GBP' } }),
    201,
  ).service.id;
  expect((await es.api.del(`/api/v1/workshops/${shop.workshop.id}/services/${retired}`, shop.vendor.token)).status).toBe(204);
  const [customer] = await quickAccounts(es.server, 1);
  bad = { shop, day, customer: customer!, ids: { oil, mot, tyres, belt, rebuild, foreign: other.service.id, retired, lastSlot: day[day.length - 1]!.id } };
});

describe('every booking has its services', () => {
  it('a booking inserted without service rows (seed data, raw SQL) gets its one row at COMMIT', async () => {
    const { shop, day, oil } = await shopWithDay(2);
    const [c] = await quickAccounts(es.server, 1);
    const source = await bookAs(es, shop, c!, day[0]!.id, oil);
    const conn = es.server.orm.em.fork().getConnection();
    const [copy] = await conn.execute<Array<{ id: string }>>(
      `insert into booking (id, customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, status, price_cents, currency, options, created_at, updated_at)
       select gen_random_uuid(), customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, 'completed', 1234, currency, options, created_at, updated_at
         from booking where id = ? returning id`,
      [source.id],
    );
    expect((await serviceRows(copy!.id)).map((r) => [r.position, r.service_id, r.duration_minutes, r.price_cents])).toEqual([[0, oil, 30, 1234]]);
    const [orphans] = await conn.execute<Array<{ n: number }>>('select count(*)::int as n from booking b where not exists (select 1 from booking_service x where x.booking_id = b.id)');
    expect(orphans!.n).toBe(0);
  });
});
