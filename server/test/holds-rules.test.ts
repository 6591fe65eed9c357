import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import type { SlotRow } from '../domain/catalog-ports';
import { type Account, dayOfSlots, expectSlotInvariants, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer } from './fixtures';
import type { ApiErrorBody } from '@shared/errors';
import { expectStatus } from './harness';

const clock = manualClock();
let es: EngineServer;
let ws: Awaited<ReturnType<typeof quickWorkshop>>;
let other: Awaited<ReturnType<typeof quickWorkshop>>;
let day: SlotRow[];

const TIERS = { skillTiers: [{ id: 'master', label: 'Master tech', multiplier: 1.5 }], urgency: [{ id: 'today', label: 'Same day', multiplier: 1.2 }] };

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false });
  ws = await quickWorkshop(es, {
    bays: 3,
    holdTtlSeconds: 60,
    services: [{ durationMinutes: 30 }, { durationMinutes: 90, name: 'Long job' }, { durationMinutes: 30, name: 'Tiered', options: TIERS }],
  });
  other = await quickWorkshop(es, { bays: 3 });
  day = await dayOfSlots(es.server, ws.workshop.id, clock.now());
});
afterAll(() => es?.server.close());

const hold = (who: Account | undefined, slotId: string, serviceId = ws.service.id, extra: { options?: { skillTier?: string; urgency?: string } } = {}, workshopId = ws.workshop.id) =>
  es.api.typed(who?.token).POST('/api/v1/holds', { body: { workshopId, serviceId, slotId, ...extra } });
const onHold = (id: string) => ({ params: { path: { id } } });
const release = (id: string, who: Account) => es.api.typed(who.token).DELETE('/api/v1/holds/{id}', onHold(id));
const extend = (id: string, who: Account) => es.api.typed(who.token).POST('/api/v1/holds/{id}/extend', onHold(id));
const myHolds = async (who: Account) => expectStatus(await es.api.typed(who.token).GET('/api/v1/holds'), 200).holds;
function expectError(res: { response: Response; data?: unknown; error?: ApiErrorBody }, status: number, code: string) {
  expect(res.response.status, JSON.stringify(res.error ?? res.data)).toBe(status);
  expect(res.error!.error.code).toBe(code);
}

describe('hold rules', () => {
  it('an urgency level marked today-only holds times today and refuses them on another day (400)', async () => {
    const shop = await quickWorkshop(es, { bays: 2, services: [{ durationMinutes: 30, name: 'Urgent', options: { skillTiers: [], urgency: [{ id: 'same-day', label: 'Same day', multiplier: 1.5, todayOnly: true }] } }] });
    const [c] = await quickAccounts(es.server, 1);
    const today = await dayOfSlots(es.server, shop.workshop.id, clock.now(), 2);
    const nextDay = await dayOfSlots(es.server, shop.workshop.id, clock.now(), 3);
    const saved = clock.now();
    clock.set(Date.parse(today[0]!.startsAt.toISOString()) - 30 * 60_000); // half an hour before the day's first slot
    try {
      const urgent = { options: { urgency: 'same-day' } };
      const refused = await hold(c!, nextDay[0]!.id, shop.service.id, urgent, shop.workshop.id);
      expectError(refused, 400, 'VALIDATION_FAILED');
      expect(refused.error!.error.message).toContain('"Same day" is only for times today');
      const ok = await hold(c!, today[1]!.id, shop.service.id, urgent, shop.workshop.id);
      expect(ok.response.status, JSON.stringify(ok.error)).toBe(201);
      // Without the urgency, the next day is fine.
      expect((await hold(c!, nextDay[0]!.id, shop.service.id, {}, shop.workshop.id)).response.status).toBe(201);
    } finally {
      clock.set(saved);
    }
  });

  it('a 4th active hold is refused with 429 HOLD_LIMIT, across workshops; a released or expired hold stops counting', async () => {
    const [c] = await quickAccounts(es.server, 1);
    const [s0, s1, s2, s3] = day;
    expect((await hold(c!, s0!.id)).response.status).toBe(201);
    expect((await hold(c!, s1!.id)).response.status).toBe(201);
    const [os] = await dayOfSlots(es.server, other.workshop.id, clock.now());
    const third = await hold(c!, os!.id, other.service.id, {}, other.workshop.id);
    expect(third.response.status).toBe(201);
    expect((await myHolds(c!))).toHaveLength(3);

    const fourth = await hold(c!, s2!.id);
    expectError(fourth, 429, 'HOLD_LIMIT');
    // The refused hold took nothing.
    expect((await redisSlots(es.server, ws.workshop.id, [s2!.id])).get(s2!.id)).toMatchObject({ held: 0, free: 3 });

    expect((await release(third.data!.hold.id, c!)).response.status).toBe(204);
    expect((await hold(c!, s2!.id)).response.status).toBe(201);
    expectError(await hold(c!, s3!.id), 429, 'HOLD_LIMIT');

    // Once they expire (no sweep needed), they no longer count.
    clock.advance(60_000);
    expect((await myHolds(c!))).toEqual([]);
    expect((await hold(c!, s3!.id)).response.status).toBe(201);
    await es.server.services.holds.sweep();
    await expectSlotInvariants(es.server, ws.workshop.id, [s0!.id, s1!.id, s2!.id, s3!.id]);
  });

  it('one customer firing 10 holds at once on 10 free slots gets exactly 3 (the rest 429 HOLD_LIMIT), and only 3 units are taken', async () => {
    const [c] = await quickAccounts(es.server, 1);
    const targets = day.slice(10, 20);
    const res = await Promise.all(targets.map((s) => hold(c!, s.id)));
    expect(res.filter((r) => r.response.status === 201)).toHaveLength(3);
    for (const r of res.filter((x) => x.response.status !== 201)) expectError(r, 429, 'HOLD_LIMIT');
    const rs = await redisSlots(es.server, ws.workshop.id, targets.map((s) => s.id));
    expect([...rs.values()].reduce((n, s) => n + s.held, 0)).toBe(3);
    expect((await myHolds(c!))).toHaveLength(3);
    for (const r of res.filter((x) => x.response.status === 201)) expect((await release(r.data!.hold.id, c!)).response.status).toBe(204);
    await expectSlotInvariants(es.server, ws.workshop.id, targets.map((s) => s.id));
  });

  it('extends at most 2 times (the 3rd is 409 HOLD_EXTENSION_LIMIT); an expired hold cannot be extended; only the owner extends', async () => {
    const [c, d] = await quickAccounts(es.server, 2);
    const h = await hold(c!, day[4]!.id);
    expect(h.response.status).toBe(201);
    const id = h.data!.hold.id;
    const created = clock.now();
    expect(Date.parse(h.data!.hold.expiresAt)).toBe(created + 60_000);

    expectError(await extend(id, d!), 404, 'NOT_FOUND');
    for (const n of [1, 2]) {
      clock.advance(45_000);
      const ext = await extend(id, c!);
      expect(ext.response.status, JSON.stringify(ext.error)).toBe(200);
      expect(ext.data!.hold.extensions).toBe(n);
      expect(Date.parse(ext.data!.hold.expiresAt)).toBe(clock.now() + 60_000);
    }
    clock.advance(10_000);
    expectError(await extend(id, c!), 409, 'HOLD_EXTENSION_LIMIT');
    // Still held until its (twice extended) expiry, then gone.
    expect((await myHolds(c!)).map((x) => x.id)).toEqual([id]);
    clock.advance(50_000);
    expectError(await extend(id, c!), 409, 'HOLD_EXPIRED');
    await es.server.services.holds.sweep();
    expect((await redisSlots(es.server, ws.workshop.id, [day[4]!.id])).get(day[4]!.id)).toMatchObject({ held: 0, free: 3 });
  });

  it('only the owner releases (others 404, vendors 403); a released hold is gone (404 on release, 409 on confirm)', async () => {
    const [c, d] = await quickAccounts(es.server, 2);
    const h = await hold(c!, day[5]!.id);
    const id = h.data!.hold.id;
    expectError(await release(id, d!), 404, 'NOT_FOUND');
    expectError(await release(id, ws.vendor), 403, 'FORBIDDEN');
    expect((await redisSlots(es.server, ws.workshop.id, [day[5]!.id])).get(day[5]!.id)).toMatchObject({ held: 1, free: 2 });

    expect((await release(id, c!)).response.status).toBe(204);
    expect((await redisSlots(es.server, ws.workshop.id, [day[5]!.id])).get(day[5]!.id)).toMatchObject({ held: 0, free: 3 });
    expectError(await release(id, c!), 404, 'NOT_FOUND');
    expectError(await es.api.typed(c!.token).POST('/api/v1/bookings', { body: { holdId: id } }), 409, 'HOLD_EXPIRED');
    await expectSlotInvariants(es.server, ws.workshop.id, [day[5]!.id]);
  });

  it('422 SLOT_SERVICE_MISMATCH: a service of another workshop, a slot of another workshop, a run crossing closing time, a retired service', async () => {
    const [c] = await quickAccounts(es.server, 1);
    const [os] = await dayOfSlots(es.server, other.workshop.id, clock.now());
    expectError(await hold(c!, day[6]!.id, other.service.id), 422, 'SLOT_SERVICE_MISMATCH');
    expectError(await hold(c!, os!.id), 422, 'SLOT_SERVICE_MISMATCH');
    const long = ws.services[1]!.id;
    const closing = day.length; // 08:00–18:00 in 30-minute slots: 20 per day
    expect(closing).toBe(20);
    // 17:00 and 17:30 starts need slots past 18:00 (the next one is tomorrow at 08:00).
    expectError(await hold(c!, day[18]!.id, long), 422, 'SLOT_SERVICE_MISMATCH');
    expectError(await hold(c!, day[19]!.id, long), 422, 'SLOT_SERVICE_MISMATCH');
    // 16:30 fits exactly: three slots up to closing.
    const fits = await hold(c!, day[17]!.id, long);
    expect(fits.response.status, JSON.stringify(fits.error)).toBe(201);
    expect(fits.data!.hold.slotIds).toEqual([day[17]!.id, day[18]!.id, day[19]!.id]);
    // None of the refusals took a unit.
    const rs = await redisSlots(es.server, ws.workshop.id, [day[6]!.id, day[18]!.id, day[19]!.id]);
    expect([rs.get(day[6]!.id)!.held, rs.get(day[18]!.id)!.held, rs.get(day[19]!.id)!.held]).toEqual([0, 1, 1]);

    const asVendor = es.api.typed(ws.vendor.token);
    const body = { name: 'Gone soon', category: 'other' as const, durationMinutes: 30, basePriceCents: 100, currency: 'GBP' };
    const retired = expectStatus(await asVendor.POST('/api/v1/workshops/{id}/services', { params: { path: { id: ws.workshop.id } }, body }), 201).service;
    const onRetired = { params: { path: { id: ws.workshop.id, serviceId: retired.id } } };
    expect((await asVendor.DELETE('/api/v1/workshops/{id}/services/{serviceId}', onRetired)).response.status).toBe(204);
    expectError(await hold(c!, day[7]!.id, retired.id), 422, 'SLOT_SERVICE_MISMATCH');
  });

  it('vendors and admins cannot hold (403); anonymous is 401', async () => {
    expectError(await hold(ws.vendor, day[8]!.id), 403, 'FORBIDDEN');
    expectError(await hold(ws.admin, day[8]!.id), 403, 'FORBIDDEN');
    expect((await hold(undefined, day[8]!.id)).response.status).toBe(401);
    expect((await redisSlots(es.server, ws.workshop.id, [day[8]!.id])).get(day[8]!.id)).toMatchObject({ held: 0 });
  });

  it('an unknown option tier is 400; a known one is held and priced at confirm', async () => {
    const [c] = await quickAccounts(es.server, 1);
    const tiered = ws.services[2]!.id;
    expectError(await hold(c!, day[9]!.id, ws.service.id, { options: { skillTier: 'master' } }), 400, 'VALIDATION_FAILED');
    expectError(await hold(c!, day[9]!.id, tiered, { options: { skillTier: 'platinum' } }), 400, 'VALIDATION_FAILED');
    expectError(await hold(c!, day[9]!.id, tiered, { options: { urgency: 'yesterday' } }), 400, 'VALIDATION_FAILED');
    // An option the contract has no field for: only the raw client can send it.
    const colour = await es.api.post('/api/v1/holds', { workshopId: ws.workshop.id, serviceId: tiered, slotId: day[9]!.id, options: { colour: 'red' } }, c!.token);
    expect(colour.status, JSON.stringify(colour.body)).toBe(400);
    expect(colour.body.error.code).toBe('VALIDATION_FAILED');
    expect((await redisSlots(es.server, ws.workshop.id, [day[9]!.id])).get(day[9]!.id)).toMatchObject({ held: 0, free: 3 });

    const ok = await hold(c!, day[9]!.id, tiered, { options: { skillTier: 'master', urgency: 'today' } });
    expect(ok.response.status, JSON.stringify(ok.error)).toBe(201);
    expect(ok.data!.hold.options).toEqual({ skillTier: 'master', urgency: 'today' });
    const b = await es.api.typed(c!.token).POST('/api/v1/bookings', { body: { holdId: ok.data!.hold.id } });
    expect(b.response.status).toBe(201);
    expect(b.data!.booking.priceCents).toBe(9000); // 5000 × 1.5 × 1.2
  });

  it('an unverified workshop is 404; a slot that has started is 409 SLOT_UNAVAILABLE', async () => {
    const [c] = await quickAccounts(es.server, 1);
    const pending = await es.api.typed(ws.vendor.token).POST('/api/v1/workshops', { body: { name: 'Not yet', city: 'Leeds', address: '3 Road', timezone: 'Europe/London', bays: 1 } });
    expect(pending.response.status).toBe(201);
    expectError(await hold(c!, day[10]!.id, ws.service.id, {}, pending.data!.workshop.id), 404, 'NOT_FOUND');

    // Runs last in this file: the clock moves past the chosen day's 09:00 slot.
    const target = day[2]!;
    clock.set(target.startsAt.getTime());
    expectError(await hold(c!, target.id), 409, 'SLOT_UNAVAILABLE');
    expect((await hold(c!, day[3]!.id)).response.status).toBe(201);
  });
});
