import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotsChangedEventSchema, type SlotsChangedEvent, type SlotView } from '@shared/availability';
import { createSlotSync, type SlotSyncState } from '@shared/realtime/slot-sync';
import { manualClock } from '../domain/clock';
import type { RunningServer } from '../runtime';
import { register, verifiedWorkshop, confirm, connect, filePrefix, hold, record, slotAhead, watch, watchOk, WAIT_MS, type ClientSocket } from './fixtures';
import { apiClient, expectStatus, startTestServer, type ApiClient } from './harness';

/*
 * Two processes, one Redis, one database: what one instance changes, sockets on the other
 * see exactly once. Both share one manual clock, so expiry needs no real waiting and both
 * sweepers race for the same due holds.
 */

const clock = manualClock();
let a: RunningServer;
let b: RunningServer;
let apiA: ApiClient;
let apiB: ApiClient;
const sockets: ClientSocket[] = [];

const open = async (url: string, auth?: { token?: string }) => {
  const s = await connect(url, auth);
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  const env = { REDIS_PREFIX: filePrefix('rt-cluster'), SWEEP_INTERVAL_MS: '50' };
  [a, b] = await Promise.all([startTestServer(env, { clock, sweepers: 'holds' }), startTestServer(env, { clock, sweepers: 'holds' })]);
  apiA = apiClient(a.url);
  apiB = apiClient(b.url);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([a?.close(), b?.close()]);
});

const byStart = (slots: SlotView[]) => [...slots].sort((x, y) => Date.parse(x.startsAt) - Date.parse(y.startsAt));

describe('two instances behind one Redis', () => {
  it('a watcher on A sees a hold made through B, once, with counts only', async () => {
    const { workshop, service } = await verifiedWorkshop(a, apiA, { bays: 2 });
    const customer = await register(apiB, 'customer');
    const onA = record(await open(a.url));
    const onB = record(await open(b.url));
    const snap = await watchOk(sockets.at(-2)!, workshop.id);
    await watchOk(sockets.at(-1)!, workshop.id);
    const slot = await slotAhead(apiB, workshop.id);

    const holdId = await hold(apiB, customer.token, workshop.id, service.id, slot.id);
    await onA.waitForChange((c) => c.seq === snap.seq + 1);
    // One change made: one frame carrying it.
    expect(onA.of('slots:changed')).toEqual([
      { workshopId: workshop.id, epoch: snap.epoch, changes: [{ seq: snap.seq + 1, cause: 'held', slots: [{ id: slot.id, capacity: 2, booked: 0, held: 1, free: 1 }] }] },
    ]);

    expect((await apiA.typed(customer.token).DELETE('/api/v1/holds/{id}', { params: { path: { id: holdId } } })).response.status).toBe(204);
    await onA.waitForChange((c) => c.seq === snap.seq + 2 && c.cause === 'released');
    // A sentinel from the other instance: anything duplicated would have arrived before it.
    await hold(apiB, customer.token, workshop.id, service.id, slot.id);
    for (const rec of [onA, onB]) {
      await rec.waitForChange((c) => c.seq === snap.seq + 3);
      expect(rec.changes().map((c) => [c.seq, c.cause])).toEqual([
        [snap.seq + 1, 'held'],
        [snap.seq + 2, 'released'],
        [snap.seq + 3, 'held'],
      ]);
    }
  });

  it('a burst of holds on one workshop through both instances reaches a watcher as frames: every seq once, each frame in order', async () => {
    const { workshop, service } = await verifiedWorkshop(a, apiA, { bays: 2 });
    const customers = await Promise.all(Array.from({ length: 6 }, () => register(apiA, 'customer')));
    const watcher = record(await open(b.url));
    const snap = await watchOk(sockets.at(-1)!, workshop.id);
    const slots = await Promise.all([0, 1, 2].map((i) => slotAhead(apiA, workshop.id, i)));
    // Twelve changes at once (holds and releases, half through each instance): frames may carry several.
    await Promise.all(
      customers.map(async (c, i) => {
        const api = i % 2 ? apiA : apiB;
        const id = await hold(api, c.token, workshop.id, service.id, slots[i % 3]!.id);
        expect((await api.typed(c.token).DELETE('/api/v1/holds/{id}', { params: { path: { id } } })).response.status).toBe(204);
      }),
    );
    // The two instances' frames may arrive in either order: wait for all twelve, not the last seq.
    await watcher.waitFor('slots:changed', () => watcher.changes().length >= 12);
    const frames: SlotsChangedEvent[] = watcher.of('slots:changed');
    for (const f of frames) {
      expect(slotsChangedEventSchema.parse(f)).toEqual(f); // exactly the contract: no stray fields
      expect(f).toMatchObject({ workshopId: workshop.id, epoch: snap.epoch });
      const seqs = f.changes.map((c) => c.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    expect(watcher.changes().map((c) => c.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => snap.seq + 1 + i));
    expect(watcher.changes().filter((c) => c.cause === 'held')).toHaveLength(6);
  });

  it('a vendor socket on B sees a booking request made on A; the customer on A sees the vendor accept on B', async () => {
    const { workshop, service, vendor } = await verifiedWorkshop(a, apiA);
    const customer = await register(apiA, 'customer', 'Cross Instance');
    const other = await register(apiA, 'customer');
    const vendorRec = record(await open(b.url, { token: vendor.token }));
    const customerRec = record(await open(a.url, { token: customer.token }));

    const booking = await confirm(apiA, customer.token, await hold(apiA, customer.token, workshop.id, service.id, (await slotAhead(apiA, workshop.id)).id));
    const requested = await vendorRec.waitFor('booking:changed', (e) => e.booking.id === booking.id);
    expect(requested.event).toMatchObject({ type: 'requested', actorRole: 'customer' });
    expect(requested.booking).toMatchObject({ status: 'pending', customerName: 'Cross Instance', workshopId: workshop.id });
    await customerRec.waitFor('booking:changed', (e) => e.booking.id === booking.id && e.event.type === 'requested');

    expect((await apiB.typed(vendor.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: booking.id, action: 'accept' } } })).response.status).toBe(200);
    const accepted = await customerRec.waitFor('booking:changed', (e) => e.booking.id === booking.id && e.event.type === 'accepted');
    expect(accepted.booking).toMatchObject({ status: 'accepted', version: 2 });

    // Sentinel: a second booking made through B reaches the vendor after anything duplicated.
    const second = await confirm(apiB, other.token, await hold(apiB, other.token, workshop.id, service.id, (await slotAhead(apiB, workshop.id, 1)).id));
    await vendorRec.waitFor('booking:changed', (e) => e.booking.id === second.id);
    const mine = (rec: ReturnType<typeof record>) => rec.of('booking:changed').filter((e) => e.booking.id === booking.id).map((e) => e.event.type);
    expect(mine(vendorRec)).toEqual(['requested', 'accepted']);
    expect(mine(customerRec)).toEqual(['requested', 'accepted']);
    expect(customerRec.of('booking:changed').some((e) => e.booking.id === second.id)).toBe(false);
  });

  it('an expired hold is published once across both sweepers', async () => {
    const { workshop, service } = await verifiedWorkshop(a, apiA, { holdTtlSeconds: 30 });
    const customer = await register(apiA, 'customer');
    const watcher = record(await open(a.url));
    const owner = record(await open(b.url, { token: customer.token }));
    const snap = await watchOk(sockets.at(-2)!, workshop.id);
    const slot = await slotAhead(apiA, workshop.id);

    const holdId = await hold(apiB, customer.token, workshop.id, service.id, slot.id);
    await watcher.waitForChange((c) => c.seq === snap.seq + 1);
    clock.advance(31_000);
    const expired = await watcher.waitForChange((c) => c.cause === 'expired');
    expect(expired).toMatchObject({ seq: snap.seq + 2, slots: [{ id: slot.id, held: 0, free: 2 }] });
    expect(await owner.waitFor('hold:expired', (e) => e.holdId === holdId)).toEqual({ holdId, workshopId: workshop.id });

    await hold(apiA, customer.token, workshop.id, service.id, slot.id);
    await watcher.waitForChange((c) => c.seq === snap.seq + 3);
    expect(watcher.changes().map((c) => c.cause)).toEqual(['held', 'expired', 'held']);
    expect(owner.of('hold:expired')).toHaveLength(1);
  });
});

describe('gap-free client state (shared slot-sync)', () => {
  async function setup() {
    const { workshop, service, vendor } = await verifiedWorkshop(a, apiA, { bays: 3 });
    const customers = await Promise.all([1, 2, 3, 4].map(() => register(apiA, 'customer')));
    const socket = await open(a.url);
    const waiters = new Set<() => void>();
    const sync = createSlotSync({
      fetchSnapshot: async () => {
        const r = await watch(socket, workshop.id);
        if (!r.ok) throw new Error(r.error.code);
        return r.data;
      },
      onState: () => waiters.forEach((w) => w()),
    });
    const until = (pred: (s: SlotSyncState) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pred(sync.state)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => reject(new Error(`sync state never matched: seq ${sync.state.seq}`)), WAIT_MS);
        waiters.add(check);
        check();
      });
    const slots = await Promise.all([0, 1, 2].map((i) => slotAhead(apiA, workshop.id, i)));
    const holdOn = (api: ApiClient, c: number, s: number) => hold(api, customers[c]!.token, workshop.id, service.id, slots[s]!.id);
    const onWorkshop = { params: { path: { id: workshop.id } } };
    const expectEqualsHttp = async () => {
      const fresh = expectStatus(await apiB.typed().GET('/api/v1/workshops/{id}/availability', onWorkshop), 200);
      expect(sync.state).toMatchObject({ workshopId: workshop.id, seq: fresh.seq, epoch: fresh.epoch, syncing: false });
      expect(byStart(sync.state.slots)).toEqual(byStart(fresh.slots));
      return fresh;
    };
    return { workshop, vendor, customers, socket, sync, slots, until, holdOn, expectEqualsHttp };
  }

  it('a watcher that missed events while disconnected equals a fresh snapshot after reconnecting', async () => {
    const { customers, socket, sync, until, holdOn, expectEqualsHttp } = await setup();
    socket.on('slots:changed', sync.apply);
    await sync.start();
    const base = sync.state.seq;
    const first = await holdOn(apiB, 0, 0);
    await until((s) => s.seq === base + 1);

    socket.disconnect(); // everything below is lost for this socket
    await holdOn(apiB, 1, 0);
    await holdOn(apiA, 2, 1);
    expect((await apiB.typed(customers[0]!.token).DELETE('/api/v1/holds/{id}', { params: { path: { id: first } } })).response.status).toBe(204);

    const reconnected = new Promise<void>((r) => socket.once('connect', () => r()));
    socket.connect();
    await reconnected;
    await sync.resync(); // PROTOCOL.md: re-watch after every reconnect
    const fresh = await expectEqualsHttp();
    expect(fresh.seq).toBe(base + 4);

    await holdOn(apiB, 3, 2); // and live events flow again
    await until((s) => s.seq === base + 5);
    await expectEqualsHttp();
    sync.stop();
  });

  it('a dropped event opens a gap that the client closes with a fresh snapshot', async () => {
    const { sync, socket, until, holdOn, expectEqualsHttp } = await setup();
    let dropSeq = -1;
    socket.on('slots:changed', (e) => {
      const kept = e.changes.filter((c) => c.seq !== dropSeq);
      if (kept.length) sync.apply({ ...e, changes: kept });
    });
    await sync.start();
    dropSeq = sync.state.seq + 1;
    await holdOn(apiB, 0, 0); // dropped on purpose
    await holdOn(apiA, 1, 1); // arrives with a gap before it
    await until((s) => s.seq === dropSeq + 1 && !s.syncing);
    expect(sync.stats.gapsDetected).toBe(1);
    await expectEqualsHttp();
    sync.stop();
  });

  it("follows the vendor's edits: new bays as 'capacity', a closed day as 'schedule' and a fresh snapshot", async () => {
    const { workshop, vendor, socket, sync, slots, until, holdOn, expectEqualsHttp } = await setup();
    const onWorkshop = { params: { path: { id: workshop.id } } };
    const seen: string[] = [];
    socket.on('slots:changed', (e) => {
      seen.push(...e.changes.map((c) => c.cause));
      sync.apply(e);
    });
    await sync.start();
    await holdOn(apiA, 0, 0);
    const base = sync.state.seq + 1;
    await until((s) => s.seq === base);

    const bays = await apiB.typed(vendor.token).PATCH('/api/v1/workshops/{id}', { ...onWorkshop, body: { bays: 5 } });
    expect(bays.response.status, JSON.stringify(bays.error)).toBe(200);
    // Resynced in chunks of a bounded size, so one capacity edit may be several 'capacity' events,
    // in sequence; all are out once the PATCH answered.
    const afterBays = expectStatus(await apiA.typed().GET('/api/v1/workshops/{id}/availability', onWorkshop), 200).seq;
    expect(afterBays).toBeGreaterThan(base);
    await until((s) => s.seq === afterBays && !s.syncing);
    expect(sync.state.slots.find((x) => x.id === slots[0]!.id)).toMatchObject({ capacity: 5, held: 1, free: 4 });
    await expectEqualsHttp();

    // Close the day of a later slot: its slots vanish from every watcher's grid without a reload.
    const day = sync.state.slots.find((x) => Date.parse(x.startsAt) > Date.parse(slots[0]!.startsAt) + 86_400_000)!;
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: workshop.timezone }).format(new Date(day.startsAt));
    const closed = await apiB.typed(vendor.token).POST('/api/v1/workshops/{id}/closures', { ...onWorkshop, body: { date, reason: 'Stocktake' } });
    expect(closed.response.status, JSON.stringify(closed.error)).toBe(201);
    await until((s) => s.seq === afterBays + 1 && !s.syncing && !s.slots.some((x) => x.id === day.id));
    await expectEqualsHttp();
    expect(seen.slice(-2)).toEqual(['capacity', 'schedule']);
    expect(sync.stats.gapsDetected).toBe(0);
    sync.stop();
  });
});
