import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotRow } from '../domain/catalog-ports';
import { workshopKeys } from '../redis/hold-keys';
import { type Account, bookAs, dayOfSlots, quickAccounts, quickWorkshop, startEngineServer, type EngineServer } from './fixtures';
import { expectStatus } from './harness';

/*
 * A hold is checked against workshops, services and slots kept in process memory. These tests
 * change the rows the way another process would (Postgres, then the workshop's schedule version)
 * and show the next hold here sees the change; that counters lost in Redis are seeded from
 * Postgres as it is now, never from that memory; and that the per-customer rate limit, now inside
 * the hold's own Redis script, still answers 429.
 */

let es: EngineServer;
let shop: Awaited<ReturnType<typeof quickWorkshop>>;
let day: SlotRow[];
let customers: Account[];

beforeAll(async () => {
  es = await startEngineServer({ sweepers: false });
  shop = await quickWorkshop(es, { bays: 1, services: [{ durationMinutes: 30 }, { durationMinutes: 30, name: 'Second' }] });
  day = await dayOfSlots(es.server, shop.workshop.id, Date.now());
  customers = await quickAccounts(es.server, 4);
});
afterAll(() => es?.server.close());

const hold = (who: Account, slotId: string, serviceId = shop.service.id) =>
  es.api.typed(who.token).POST('/api/v1/holds', { body: { workshopId: shop.workshop.id, serviceId, slotId } });
const release = (who: Account, id: string) => es.api.typed(who.token).DELETE('/api/v1/holds/{id}', { params: { path: { id } } });
const quoted = async (holdId: string) => (await es.server.holdStore.findHold(holdId))?.quote?.priceCents;
/** What another process's catalog edit leaves behind: new rows, and a bumped version. */
const elsewhere = async (edit: () => Promise<unknown>) => {
  await edit();
  await es.server.holdStore.bumpSchedule(shop.workshop.id);
};

describe('the in-memory hold catalog', () => {
  it('serves holds from memory until the schedule version moves, then re-reads (price, retired service)', async () => {
    const [c] = customers;
    const second = shop.services[1]!;
    const first = expectStatus(await hold(c!, day[0]!.id, second.id), 201).hold;
    expect(await quoted(first.id)).toBe(5000);
    await release(c!, first.id);

    // Rows changed but the version not: this process still quotes what it read (proof the cache is used).
    await es.server.services.stores.workshops.updateService(shop.workshop.id, second.id, { basePriceCents: 7000 });
    const cached = expectStatus(await hold(c!, day[0]!.id, second.id), 201).hold;
    expect(await quoted(cached.id)).toBe(5000);
    await release(c!, cached.id);

    // The version moves (as every catalog edit does): the hold script answers STALE, the rows are re-read.
    await es.server.holdStore.bumpSchedule(shop.workshop.id);
    const fresh = expectStatus(await hold(c!, day[0]!.id, second.id), 201).hold;
    expect(await quoted(fresh.id)).toBe(7000);
    await release(c!, fresh.id);

    await elsewhere(() => es.server.services.stores.workshops.retireService(shop.workshop.id, second.id));
    const retired = await hold(c!, day[0]!.id, second.id);
    expect(retired.response.status, JSON.stringify(retired.error ?? retired.data)).toBe(422);
    expect(retired.error!.error.code).toBe('SLOT_SERVICE_MISMATCH');
  });

  it('a workshop suspended elsewhere takes no more holds here', async () => {
    const [, c] = customers;
    const ok = expectStatus(await hold(c!, day[1]!.id), 201).hold;
    await release(c!, ok.id);
    await elsewhere(() => es.server.services.stores.workshops.setStatus(shop.workshop.id, 'suspended'));
    try {
      const refused = await hold(c!, day[1]!.id);
      expect(refused.response.status, JSON.stringify(refused.error ?? refused.data)).toBe(404);
    } finally {
      await elsewhere(() => es.server.services.stores.workshops.setStatus(shop.workshop.id, 'verified'));
    }
    const again = expectStatus(await hold(c!, day[1]!.id), 201).hold;
    await release(c!, again.id);
  });

  it('an extend uses the hold TTL as it is now, changed elsewhere after this process read it', async () => {
    const [, , , d] = customers;
    const h = expectStatus(await hold(d!, day[5]!.id), 201).hold;
    await elsewhere(() => es.server.services.stores.workshops.update(shop.workshop.id, { holdTtlSeconds: 600 }));
    const extended = expectStatus(await es.api.typed(d!.token).POST('/api/v1/holds/{id}/extend', { params: { path: { id: h.id } } }), 200).hold;
    expect(Date.parse(extended.expiresAt) - Date.now()).toBeGreaterThan(500_000);
    await release(d!, h.id);
  });

  it('counters lost in Redis are seeded from Postgres as it is now, not from the memory of it', async () => {
    const [a, b, c] = customers;
    const target = day[3]!;
    // The catalog (booked = 0 on the target) is in memory before the booking below.
    await release(a!, expectStatus(await hold(a!, day[2]!.id), 201).hold.id);
    await bookAs(es, shop, b!, target.id);
    // Redis loses the workshop's counters (its meta, so the version, survives).
    await es.server.redis.del(workshopKeys(es.prefix, shop.workshop.id).slots);

    const refused = await hold(c!, target.id);
    expect(refused.response.status, JSON.stringify(refused.error ?? refused.data)).toBe(409);
    expect(refused.error!.error.code).toBe('SLOT_UNAVAILABLE');
    // A neighbour, free in Postgres, is seeded and held.
    const ok = expectStatus(await hold(c!, day[4]!.id), 201).hold;
    await release(c!, ok.id);
  });
});

describe('hold rate limit', () => {
  let limited: EngineServer;
  beforeAll(async () => {
    limited = await startEngineServer({ sweepers: false, env: { RATE_LIMIT_HOLDS_PER_MIN: '2' } });
  });
  afterAll(() => limited?.server.close());

  it('answers 429 RATE_LIMITED with Retry-After past RATE_LIMIT_HOLDS_PER_MIN; the slot stays free, others still hold', async () => {
    const w = await quickWorkshop(limited, { bays: 1 });
    const [slot] = await dayOfSlots(limited.server, w.workshop.id, Date.now());
    const [c, other] = await quickAccounts(limited.server, 2);
    const body = { workshopId: w.workshop.id, serviceId: w.service.id, slotId: slot!.id };
    for (let i = 0; i < 2; i++) {
      const h = expectStatus(await limited.api.typed(c!.token).POST('/api/v1/holds', { body }), 201).hold;
      expect((await limited.api.typed(c!.token).DELETE('/api/v1/holds/{id}', { params: { path: { id: h.id } } })).response.status).toBe(204);
    }
    const refused = await limited.api.typed(c!.token).POST('/api/v1/holds', { body });
    expect(refused.response.status, JSON.stringify(refused.error ?? refused.data)).toBe(429);
    expect(refused.error!.error.code).toBe('RATE_LIMITED');
    expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThan(0);
    // The refused attempt kept nothing: the single bay is free for someone else.
    expectStatus(await limited.api.typed(other!.token).POST('/api/v1/holds', { body }), 201);
  });
});
