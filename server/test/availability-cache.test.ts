import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { localDayOf } from '../domain/slot-generation';
import { expectStatus } from './harness';
import { holdAs, quickAccounts, quickWorkshop, startEngineServer, type EngineServer } from './fixtures';

/*
 * The slot list behind a snapshot is cached briefly per workshop and window, but never at the
 * cost of correctness: counts always come from Redis, and a schedule change made by ANY
 * process (two servers on one database and Redis here) is visible to the next snapshot.
 */

const DAY = 86_400_000;
const clock = manualClock(Date.UTC(2031, 4, 5, 9, 7));
let a: EngineServer;
let b: EngineServer;
let shop: Awaited<ReturnType<typeof quickWorkshop>>;
let window: { from: string; to: string };
const listCalls: string[] = [];

beforeAll(async () => {
  a = await startEngineServer({ clock });
  b = await startEngineServer({ clock, prefix: a.prefix });
  shop = await quickWorkshop(a);
  window = { from: new Date(clock.now()).toISOString(), to: new Date(clock.now() + 7 * DAY).toISOString() };
  const store = b.server.services.stores.slots;
  const list = store.list.bind(store);
  store.list = (workshopId, from, to, limit) => {
    listCalls.push(workshopId);
    return list(workshopId, from, to, limit);
  };
});
afterAll(async () => {
  await b?.server.close();
  await a?.server.close();
});

const snapshotFromB = async () =>
  expectStatus(await b.api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: shop.workshop.id }, query: window } }), 200);

describe('snapshot slot-list cache', () => {
  it('reuses one slot list for repeated and concurrent snapshots of the same window', async () => {
    listCalls.length = 0;
    const snaps = await Promise.all(Array.from({ length: 5 }, snapshotFromB));
    expect(listCalls).toHaveLength(1);
    expect(new Set(snaps.map((s) => JSON.stringify(s))).size).toBe(1);
  });

  it('never caches counts: a hold shows in the next snapshot, with its seq', async () => {
    const before = await snapshotFromB();
    const [customer] = await quickAccounts(a.server, 1);
    const slotId = before.slots[3]!.id;
    await holdAs(a, shop, customer!, slotId);
    const after = await snapshotFromB();
    expect(after.slots.find((s) => s.id === slotId)!.held).toBe(1);
    expect(after.seq).toBe(before.seq + 1);
  });

  it('a schedule change made by another process is in the very next snapshot', async () => {
    const before = await snapshotFromB();
    const closed = localDayOf(new Date(clock.now() + 2 * DAY), 'Europe/London');
    expect(before.slots.some((s) => localDayOf(new Date(s.startsAt), 'Europe/London') === closed)).toBe(true);
    const close = await a.api.typed(shop.vendor.token).POST('/api/v1/workshops/{id}/closures', { params: { path: { id: shop.workshop.id } }, body: { date: closed } });
    expect(close.response.status).toBe(201);
    const after = await snapshotFromB();
    expect(after.slots.some((s) => localDayOf(new Date(s.startsAt), 'Europe/London') === closed)).toBe(false);
    expect(after.slots.length).toBe(before.slots.length - 20);
  });
});
