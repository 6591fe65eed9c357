import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { localDayOf } from '../domain/slot-generation';
import { workshopKeys } from '../redis/hold-keys';
import { expectStatus } from './harness';
import { quickWorkshop, startEngineServer, type EngineServer } from './fixtures';

/*
 * Redis keeps counters only for slots that can still change: slots that ended and slots a
 * schedule edit deleted lose their fields (read straight from the workshop's slots hash).
 */

const DAY = 86_400_000;
const clock = manualClock(Date.UTC(2031, 2, 3, 9, 7));
let es: EngineServer;
let shop: Awaited<ReturnType<typeof quickWorkshop>>;

beforeAll(async () => {
  es = await startEngineServer({ clock });
  shop = await quickWorkshop(es);
});
afterAll(() => es?.server.close());

const idsInHash = async () => new Set((await es.server.redis.hkeys(workshopKeys(es.prefix, shop.workshop.id).slots)).map((f) => f.slice(2)));
const availability = (query: { from: string; to: string }) =>
  es.api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: shop.workshop.id }, query } });
const slotsBetween = (from: number, to: number) => es.server.services.stores.slots.list(shop.workshop.id, new Date(from), new Date(to));

describe('pruning slot counters', () => {
  it('drops the counters of slots a closure deleted', async () => {
    const start = clock.now();
    const snap = expectStatus(await availability({ from: new Date(start).toISOString(), to: new Date(start + 10 * DAY).toISOString() }), 200);
    const before = await idsInHash();
    expect(before.size).toBe(snap.slots.length);

    const closed = localDayOf(new Date(start + 3 * DAY), 'Europe/London');
    const doomed = snap.slots.filter((s) => localDayOf(new Date(s.startsAt), 'Europe/London') === closed).map((s) => s.id);
    expect(doomed.length).toBe(20);
    const close = await es.api.typed(shop.vendor.token).POST('/api/v1/workshops/{id}/closures', { params: { path: { id: shop.workshop.id } }, body: { date: closed } });
    expect(close.response.status).toBe(201);

    const after = await idsInHash();
    for (const id of doomed) expect(after.has(id), `fields of deleted slot ${id}`).toBe(false);
    expect(after.size).toBe(before.size - doomed.length);
  });

  it('drops the counters of slots that ended when the horizon rolls, and snapshots do not bring them back', async () => {
    const start = clock.now();
    const window = { from: new Date(start).toISOString(), to: new Date(start + 10 * DAY).toISOString() };
    expect((await availability(window)).response.status).toBe(200);
    clock.advance(2 * DAY);
    const ended = (await slotsBetween(start, clock.now())).filter((s) => s.endsAt.getTime() <= clock.now()).map((s) => s.id);
    expect(ended.length).toBeGreaterThan(20);
    expect([...(await idsInHash())].filter((id) => ended.includes(id))).toHaveLength(ended.length);

    await es.server.services.slots.regenerate(shop.workshop.id, { prune: true }); // what the hourly roll runs per workshop
    const after = await idsInHash();
    expect(ended.filter((id) => after.has(id))).toEqual([]);
    const future = (await slotsBetween(clock.now(), start + 10 * DAY)).map((s) => s.id);
    expect(future.filter((id) => !after.has(id))).toEqual([]);

    // The same window again, now mostly in the past: ended slots are answered from Postgres only.
    const again = expectStatus(await availability(window), 200);
    expect(again.slots.map((s) => s.id)).toEqual(expect.arrayContaining(ended));
    const finally_ = await idsInHash();
    expect(ended.filter((id) => finally_.has(id))).toEqual([]);
  });
});
