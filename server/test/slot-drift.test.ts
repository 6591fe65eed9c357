import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../domain/clock';
import { workshopKeys } from '../redis/hold-keys';
import { bookAs, dayOfSlots, holdAs, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer, connect, record, watchOk, type ClientSocket } from './fixtures';

/*
 * Postgres is the truth for capacity and booked; Redis owns only live holds. Counters that drifted
 * (here corrupted by hand, as a process killed between consuming a hold and committing its booking
 * leaves them) are repaired by snapshot reads, at start-up and by the periodic pass.
 */

const servers: EngineServer[] = [];
const sockets: ClientSocket[] = [];
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const es of servers) await es.server.close();
});
async function engine(opts: Parameters<typeof startEngineServer>[0]) {
  const es = await startEngineServer(opts);
  servers.push(es);
  return es;
}
async function watcher(es: EngineServer, workshopId: string) {
  const socket = await connect(es.server.url);
  sockets.push(socket);
  const rec = record(socket);
  await watchOk(socket, workshopId);
  return rec;
}

/** One booked unit of a 2-bay slot, then Redis told the slot is full and has 5 bays. */
async function driftedSlot(es: EngineServer) {
  const w = await quickWorkshop(es, { bays: 2 });
  const [slot, other] = await dayOfSlots(es.server, w.workshop.id, Date.now());
  const [c, d] = await quickAccounts(es.server, 2);
  await bookAs(es, w, d!, slot!.id);
  const corrupt = async (check = true) => {
    await es.server.redis.hset(workshopKeys(es.prefix, w.workshop.id).slots, `c:${slot!.id}`, 5, `b:${slot!.id}`, 5);
    if (check) expect((await redisSlots(es.server, w.workshop.id, [slot!.id])).get(slot!.id)).toMatchObject({ capacity: 5, booked: 5, free: 0 });
  };
  return { w, slot: slot!, other: other!, c: c!, corrupt };
}
const repairedCounts = { capacity: 2, booked: 1, held: 0, free: 1 };

let es: EngineServer;
beforeAll(async () => {
  // No repair grace here (the booking just made would defer its slot's repair); the grace has its own test below.
  es = await engine({ env: { RECONCILE_INTERVAL_MS: '0', REPAIR_GRACE_MS: '0' } });
});

describe('drifted Redis counters are put back in line with Postgres', () => {
  it('by a snapshot read, which also tells open screens (cause resync)', async () => {
    const { w, slot, corrupt } = await driftedSlot(es);
    const screen = await watcher(es, w.workshop.id);
    await corrupt();
    // As the consume of a process killed before its COMMIT does: every script that moves a count
    // bumps seq (a read with seq, epoch and field count unchanged trusts its last counts; see
    // redis/slot-scripts.ts SNAPSHOT_PACKED).
    await es.server.redis.hincrby(workshopKeys(es.prefix, w.workshop.id).meta, 'seq', 1);

    const availability = () => es.api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: w.workshop.id } } });
    const snap = (await availability()).data!;
    expect(snap.slots.find((s) => s.id === slot.id)).toMatchObject(repairedCounts);
    expect((await redisSlots(es.server, w.workshop.id, [slot.id])).get(slot.id)).toMatchObject(repairedCounts);
    const pushed = await screen.waitForChange((c) => c.cause === 'resync');
    expect(pushed.slots).toEqual([{ id: slot.id, ...repairedCounts }]);
    expect(pushed.seq).toBe(snap.seq);
    // A read that finds nothing to repair moves nothing.
    expect((await availability()).data!.seq).toBe(snap.seq);
  });

  it('at start-up, before the process serves anything', async () => {
    const { w, slot, corrupt } = await driftedSlot(es);
    await corrupt();
    // A second process on the same Redis starts (as after a crash and restart): no read needed.
    const restarted = await engine({ prefix: es.prefix, env: { RECONCILE_INTERVAL_MS: '0', REPAIR_GRACE_MS: '0' } });
    expect((await redisSlots(restarted.server, w.workshop.id, [slot.id])).get(slot.id)).toMatchObject(repairedCounts);
  });

  it('periodically, for a workshop the process saw change, with watchers told', async () => {
    const live = await engine({ env: { RECONCILE_INTERVAL_MS: '100', REPAIR_GRACE_MS: '0' } });
    const { w, slot, other, c, corrupt } = await driftedSlot(live);
    const screen = await watcher(live, w.workshop.id);
    // Not read back here: a pass may already be under way. The resync event below carries the slot
    // only because it had drifted.
    await corrupt(false);
    // Activity on another slot of the workshop (no snapshot read) puts it on the next pass.
    await holdAs(live, w, c, other.id);

    const pushed = await screen.waitForChange((c) => c.cause === 'resync');
    expect(pushed.slots).toEqual([{ id: slot.id, ...repairedCounts }]);
    // With no repair grace, a pass between the booking's consume and its commit may already have
    // pushed a resync of this slot before the corruption: the pass after the hold repairs it.
    await vi.waitFor(async () => expect((await redisSlots(live.server, w.workshop.id, [slot.id])).get(slot.id)).toMatchObject(repairedCounts), { timeout: 10_000, interval: 50 });
  });

  it('but never undoes a confirm still committing: a slot whose booked count moved within the grace waits for it', async () => {
    const clock = manualClock(Date.now());
    const timed = await engine({ clock, env: { RECONCILE_INTERVAL_MS: '0', REPAIR_GRACE_MS: '5000' } });
    const w = await quickWorkshop(timed, { bays: 2 });
    const [slot] = await dayOfSlots(timed.server, w.workshop.id, clock.now());
    const [c] = await quickAccounts(timed.server, 1);
    const holdId = await holdAs(timed, w, c!, slot!.id);
    // A confirm between its consume and its COMMIT: Redis already counts the unit booked, Postgres not yet.
    expect((await timed.server.holdStore.consume(holdId, c!.id)).ok).toBe(true);
    const slotIn = async () =>
      (await timed.api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: w.workshop.id } } })).data!.slots.find((s) => s.id === slot!.id);
    expect(await slotIn()).toMatchObject({ booked: 1, free: 1 });

    // Past the grace that COMMIT has happened or never will: the read repairs from Postgres.
    clock.advance(5000);
    expect(await slotIn()).toMatchObject({ booked: 0, free: 2 });
  });
});
