import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_WEEK, bookAs, dayOfSlots, holdAs, quickAccounts, quickWorkshop, startEngineServer, type EngineServer, connect, type ClientSocket } from './fixtures';

/*
 * Abuse limits, each set low on a server of its own (own Redis prefix, so the per-address
 * budgets of other test files never count here): open bookings per customer, confirms per
 * minute, availability snapshots per address over HTTP and sockets, slots per workshop, and
 * the widest snapshot window.
 */

const DAY = 86_400_000;

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
    const refused = await es.api.post('/api/bookings', { holdId }, customer!.token);
    expect(refused.status, JSON.stringify(refused.body)).toBe(429);
    expect(refused.body.error.code).toBe('BOOKING_LIMIT');
    // Refused before the hold was consumed: it is still there to confirm once a booking ends.
    expect((await es.api.get('/api/holds', customer!.token)).body.holds.map((h: { id: string }) => h.id)).toContain(holdId);

    const mine = (await es.api.get('/api/bookings', customer!.token)).body.bookings as Array<{ id: string }>;
    expect((await es.api.post(`/api/bookings/${mine[0]!.id}/cancel`, {}, customer!.token)).status).toBe(200);
    expect((await es.api.post('/api/bookings', { holdId }, customer!.token)).status).toBe(201);
  });

  it('holds the cap when one customer confirms many holds at once', async () => {
    const [customer] = await quickAccounts(es.server, 1);
    const holds = [];
    for (const s of slots.slice(4, 8)) holds.push(await holdAs(es, shop, customer!, s.id));
    const answers = await Promise.all(holds.map((holdId) => es.api.post('/api/bookings', { holdId }, customer!.token)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(2);
    expect(answers.filter((a) => a.status !== 201).map((a) => a.body.error.code)).toEqual(['BOOKING_LIMIT', 'BOOKING_LIMIT']);
    const open = (await es.api.get('/api/bookings', customer!.token)).body.bookings;
    expect(open).toHaveLength(2);
  });

  it('rate-limits confirms per customer: 429 RATE_LIMITED with Retry-After', async () => {
    const [customer, other] = await quickAccounts(es.server, 2);
    // Unknown holds still count: the limit is on attempts, whatever their outcome.
    for (let i = 0; i < 4; i++) {
      const res = await es.api.post('/api/bookings', { holdId: randomUUID() }, customer!.token);
      expect(res.status, JSON.stringify(res.body)).toBe(409);
    }
    const limited = await es.api.post('/api/bookings', { holdId: randomUUID() }, customer!.token);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Per customer, not per address.
    expect((await es.api.post('/api/bookings', { holdId: randomUUID() }, other!.token)).status).toBe(409);
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
    const http = await es.api.get(`/api/workshops/${workshopId}/availability`);
    expect(http.status).toBe(429);
    expect(http.body.error.code).toBe('RATE_LIMITED');
    expect(Number(http.headers.get('retry-after'))).toBeGreaterThan(0);
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
    for (let i = 0; i < 3; i++) expect((await es.api.get(`/api/workshops/${workshopId}/availability`)).status).toBe(200);
    const limited = await es.api.get(`/api/workshops/${workshopId}/availability`);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await es.api.get(`/api/workshops/${workshopId}`)).status).toBe(200);
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
    const res = await es.api.put(`/api/workshops/${shop.workshop.id}/hours`, allDay, shop.vendor.token);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.code).toBe('SCHEDULE_TOO_LARGE');
    expect(res.body.error.details).toMatchObject({ slots: 47 * 7 * 4, maxSlots: 1000 });
    const detail = await es.api.get(`/api/workshops/${shop.workshop.id}`);
    expect(detail.body.workshop.hours).toEqual(ALL_WEEK);
  });

  it('refuses a slot length that would make more slots than the bound', async () => {
    const res = await es.api.patch(`/api/workshops/${shop.workshop.id}`, { slotMinutes: 15 }, shop.vendor.token);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.code).toBe('SCHEDULE_TOO_LARGE');
    expect((await es.api.get(`/api/workshops/${shop.workshop.id}`)).body.workshop.slotMinutes).toBe(30);
    // Within the bound it is accepted.
    expect((await es.api.patch(`/api/workshops/${shop.workshop.id}`, { slotMinutes: 60 }, shop.vendor.token)).status).toBe(200);
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
    const wide = await es.api.get(`/api/workshops/${shop.workshop.id}/availability?from=${from}&to=${to}`);
    expect(wide.status).toBe(400);
    expect(wide.body.error.code).toBe('VALIDATION_FAILED');
    // Only `to`, far away: the window starts now and is just as wide.
    const onlyTo = await es.api.get(`/api/workshops/${shop.workshop.id}/availability?to=${to}`);
    expect(onlyTo.status).toBe(400);
    expect(onlyTo.body.error.code).toBe('VALIDATION_FAILED');
    const socket = await connect(es.server.url);
    try {
      const ack = await socket.timeout(10_000).emitWithAck('workshop:watch', { workshopId: shop.workshop.id, from, to });
      expect(!ack.ok && ack.error.code).toBe('VALIDATION_FAILED');
    } finally {
      socket.close();
    }
  });
});
