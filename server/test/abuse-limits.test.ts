import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStatus } from './harness';
import { ALL_WEEK, bookAs, dayOfSlots, holdAs, quickAccounts, quickWorkshop, startEngineServer, type EngineServer, connect, type ClientSocket } from './fixtures';

/*
 * Abuse limits, each set low on a server of its own (own Redis prefix, so the per-address
 * budgets of other test files never count here): open bookings per customer, confirms per
 * minute, availability snapshots per address over HTTP and sockets, slots per workshop, and
 * the widest snapshot window.
 */

const DAY = 86_400_000;
type Caller = { api: EngineServer['api'] };
const confirm = (es: Caller, holdId: string, who: { token: string }) => es.api.typed(who.token).POST('/api/v1/bookings', { body: { holdId } });
const availability = (es: Caller, id: string, query?: { from?: string; to?: string }) =>
  es.api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id }, query } });
const workshopOf = (es: Caller, id: string) => es.api.typed().GET('/api/v1/workshops/{id}', { params: { path: { id } } });

describe('bookings: open-bookings cap and confirm rate limit', () => {
  let es: EngineServer;
  let shop: Awaited<ReturnType<typeof quickWorkshop>>;
  let slots: Awaited<ReturnType<typeof dayOfSlots>>;

  beforeAll(async () => {
    es = await startEngineServer({ env: { MAX_OPEN_BOOKINGS: '2', RATE_LIMIT_CONFIRMS_PER_MIN: '4', MAX_ACTIVE_HOLDS: '10' } });
    shop = await quickWorkshop(es, { bays: 5 });
    slots = await dayOfSlots(es.server, shop.workshop.id, Date.now());
  });
  afterAll(() => es?.server.close());

  it('refuses a confirm beyond MAX_OPEN_BOOKINGS with 429 BOOKING_LIMIT and keeps the hold', async () => {
    const [customer] = await quickAccounts(es.server, 1);
    await bookAs(es, shop, customer!, slots[0]!.id);
    await bookAs(es, shop, customer!, slots[1]!.id);
    const holdId = await holdAs(es, shop, customer!, slots[2]!.id);
    const refused = await confirm(es, holdId, customer!);
    expect(refused.response.status, JSON.stringify(refused.error ?? refused.data)).toBe(429);
    expect(refused.error!.error.code).toBe('BOOKING_LIMIT');
    // Refused before the hold was consumed: it is still there to confirm once a booking ends.
    expect(expectStatus(await es.api.typed(customer!.token).GET('/api/v1/holds'), 200).holds.map((h) => h.id)).toContain(holdId);

    const mine = expectStatus(await es.api.typed(customer!.token).GET('/api/v1/bookings'), 200).bookings;
    expect((await es.api.typed(customer!.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: mine[0]!.id, action: 'cancel' } }, body: {} })).response.status).toBe(200);
    expect((await confirm(es, holdId, customer!)).response.status).toBe(201);
  });

  it('holds the cap when one customer confirms many holds at once', async () => {
    const [customer] = await quickAccounts(es.server, 1);
    const holds = [];
    for (const s of slots.slice(4, 8)) holds.push(await holdAs(es, shop, customer!, s.id));
    const answers = await Promise.all(holds.map((holdId) => confirm(es, holdId, customer!)));
    expect(answers.filter((a) => a.response.status === 201)).toHaveLength(2);
    expect(answers.filter((a) => a.response.status !== 201).map((a) => a.error!.error.code)).toEqual(['BOOKING_LIMIT', 'BOOKING_LIMIT']);
    const open = expectStatus(await es.api.typed(customer!.token).GET('/api/v1/bookings'), 200).bookings;
    expect(open).toHaveLength(2);
  });

  it('rate-limits confirms per customer: 429 RATE_LIMITED with Retry-After', async () => {
    const [customer, other] = await quickAccounts(es.server, 2);
    // Unknown holds still count: the limit is on attempts, whatever their outcome.
    for (let i = 0; i < 4; i++) {
      const res = await confirm(es, randomUUID(), customer!);
      expect(res.response.status, JSON.stringify(res.error ?? res.data)).toBe(409);
    }
    const limited = await confirm(es, randomUUID(), customer!);
    expect(limited.response.status).toBe(429);
    expect(limited.error!.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.response.headers.get('retry-after'))).toBeGreaterThan(0);
    // Per customer, not per address.
    expect((await confirm(es, randomUUID(), other!)).response.status).toBe(409);
  });
});

describe('availability: per-address limit shared by HTTP and workshop:watch', () => {
  let es: EngineServer;
  let workshopId: string;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    es = await startEngineServer({ env: { RATE_LIMIT_AVAILABILITY_PER_MIN: '3' } });
    workshopId = (await quickWorkshop(es)).workshop.id;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await es?.server.close();
  });

  it('answers workshop:watch with RATE_LIMITED once the address used its budget, then HTTP too', async () => {
    const socket = await connect(es.server.url);
    sockets.push(socket);
    const watch = () => socket.timeout(10_000).emitWithAck('workshop:watch', { workshopId });
    for (let i = 0; i < 3; i++) expect((await watch()).ok).toBe(true);
    const limited = await watch();
    expect(limited.ok).toBe(false);
    expect(!limited.ok && limited.error.code).toBe('RATE_LIMITED');
    // Another connection from the same address shares the budget, and so does HTTP.
    const second = await connect(es.server.url);
    sockets.push(second);
    const again = await second.timeout(10_000).emitWithAck('workshop:watch', { workshopId });
    expect(!again.ok && again.error.code).toBe('RATE_LIMITED');
    const http = await availability(es, workshopId);
    expect(http.response.status).toBe(429);
    expect(http.error!.error.code).toBe('RATE_LIMITED');
    expect(Number(http.response.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('availability over HTTP: per-address limit', () => {
  let es: EngineServer;
  let workshopId: string;

  beforeAll(async () => {
    es = await startEngineServer({ env: { RATE_LIMIT_AVAILABILITY_PER_MIN: '3' } });
    workshopId = (await quickWorkshop(es)).workshop.id;
  });
  afterAll(() => es?.server.close());

  it('answers 429 RATE_LIMITED with Retry-After after the budget; other routes are not affected', async () => {
    for (let i = 0; i < 3; i++) expect((await availability(es, workshopId)).response.status).toBe(200);
    const limited = await availability(es, workshopId);
    expect(limited.response.status).toBe(429);
    expect(limited.error!.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await workshopOf(es, workshopId)).response.status).toBe(200);
  });
});

describe('schedule bound and snapshot window', () => {
  let es: EngineServer;
  let shop: Awaited<ReturnType<typeof quickWorkshop>>;

  // 08–18 every day in 30-minute slots over 28 days is 560 slots: within 1000.
  beforeAll(async () => {
    es = await startEngineServer({ env: { MAX_SLOTS_PER_WORKSHOP: '1000', SLOT_HORIZON_DAYS: '28' } });
    shop = await quickWorkshop(es);
  });
  afterAll(() => es?.server.close());

  it('refuses hours that would make more slots than the bound (422 SCHEDULE_TOO_LARGE) and saves nothing', async () => {
    const allDay = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '00:00', closes: '23:30' }));
    const res = await es.api.typed(shop.vendor.token).PUT('/api/v1/workshops/{id}/hours', { params: { path: { id: shop.workshop.id } }, body: allDay });
    expect(res.response.status, JSON.stringify(res.error ?? res.data)).toBe(422);
    expect(res.error!.error.code).toBe('SCHEDULE_TOO_LARGE');
    expect(res.error!.error.details).toMatchObject({ slots: 47 * 7 * 4, maxSlots: 1000 });
    const detail = expectStatus(await workshopOf(es, shop.workshop.id), 200);
    expect(detail.workshop.hours).toEqual(ALL_WEEK);
  });

  it('refuses a slot length that would make more slots than the bound', async () => {
    const res = await es.api.typed(shop.vendor.token).PATCH('/api/v1/workshops/{id}', { params: { path: { id: shop.workshop.id } }, body: { slotMinutes: 15 } });
    expect(res.response.status, JSON.stringify(res.error ?? res.data)).toBe(422);
    expect(res.error!.error.code).toBe('SCHEDULE_TOO_LARGE');
    expect(expectStatus(await workshopOf(es, shop.workshop.id), 200).workshop.slotMinutes).toBe(30);
    // Within the bound it is accepted.
    expect((await es.api.typed(shop.vendor.token).PATCH('/api/v1/workshops/{id}', { params: { path: { id: shop.workshop.id } }, body: { slotMinutes: 60 } })).response.status).toBe(200);
  });

  it('regeneration never makes more than the bound, whatever hours are stored', async () => {
    // Stored behind the catalog's back, as a workshop saved before the bound existed would be.
    const allDay = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '00:00', closes: '23:55' }));
    await es.server.services.stores.workshops.replaceHours(shop.workshop.id, allDay);
    await es.server.services.stores.workshops.update(shop.workshop.id, { slotMinutes: 5 });
    await es.server.services.slots.regenerate(shop.workshop.id);
    const rows = await es.server.services.stores.slots.list(shop.workshop.id, new Date(Date.now()), new Date(Date.now() + 60 * DAY));
    expect(rows.length).toBeGreaterThan(900);
    expect(rows.length).toBeLessThanOrEqual(1000);
  });

  it('refuses a snapshot window wider than 35 days (400), over HTTP and the socket', async () => {
    const from = new Date(Date.now() + DAY).toISOString();
    const to = new Date(Date.now() + 37 * DAY).toISOString();
    const wide = await availability(es, shop.workshop.id, { from, to });
    expect(wide.response.status).toBe(400);
    expect(wide.error!.error.code).toBe('VALIDATION_FAILED');
    // Only `to`, far away: the window starts now and is just as wide.
    const onlyTo = await availability(es, shop.workshop.id, { to });
    expect(onlyTo.response.status).toBe(400);
    expect(onlyTo.error!.error.code).toBe('VALIDATION_FAILED');
    const socket = await connect(es.server.url);
    try {
      const ack = await socket.timeout(10_000).emitWithAck('workshop:watch', { workshopId: shop.workshop.id, from, to });
      expect(!ack.ok && ack.error.code).toBe('VALIDATION_FAILED');
    } finally {
      socket.close();
    }
  });
});
