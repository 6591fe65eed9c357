import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { customerHoldsKey, workshopKeys } from '../redis/hold-keys';
import type { RunningServer } from '../runtime';
import { confirm, connect, createAdmin, hold, openWorkshop, record, register, watchOk, type ClientSocket } from './fixtures';
import { apiClient, expectStatus, ownPrefix, startTestServer, type ApiClient } from './harness';
import { startRedisCluster, type PrivateRedisCluster } from './redis-cluster-process';

/*
 * Holdfast on a real three-master Redis Cluster (REDIS_CLUSTER_NODES), two servers sharing it:
 * every script must stay in one hash slot (a CROSSSLOT error fails a request), whole-keyspace
 * scans must visit every master, and the Socket.IO adapter must carry events between the two.
 * Workshops are created until their keys live on every master, so each path runs on several.
 */

const clock = manualClock();
let cluster: PrivateRedisCluster;
let a: RunningServer;
let b: RunningServer;
let apiA: ApiClient;
let apiB: ApiClient;
const sockets: ClientSocket[] = [];
const prefix = ownPrefix('rc');

beforeAll(async () => {
  cluster = await startRedisCluster();
  const env = { REDIS_CLUSTER_NODES: cluster.nodes, REDIS_PREFIX: prefix, SWEEP_INTERVAL_MS: '50' };
  [a, b] = await Promise.all([startTestServer(env, { clock, sweepers: 'holds' }), startTestServer(env, { clock, sweepers: 'holds' })]);
  apiA = apiClient(a.url);
  apiB = apiClient(b.url);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([a?.close(), b?.close()]);
  await cluster?.stop();
});

type Opened = Awaited<ReturnType<typeof openWorkshop>>;

/** Verified workshops (one vendor, one admin) until their `{w:…}` keys sit on every master. */
async function workshopsOnEveryMaster(): Promise<Array<{ workshop: Opened['workshop']; service: Opened['services'][number]; master: number }>> {
  const vendor = await register(apiA, 'vendor');
  const admin = await createAdmin(a, apiA);
  const found = [];
  const masters = new Set<number>();
  for (let i = 0; i < 24 && masters.size < cluster.ports.length; i++) {
    const { workshop, services } = await openWorkshop(apiA, { vendorToken: vendor.token, adminToken: admin.token }, {
      name: `Cluster Garage ${i}`, city: 'Leeds', address: '1 Test Street', timezone: 'Europe/London', bays: 2, autoAccept: false, holdTtlSeconds: 30,
    });
    const master = await cluster.masterOf(workshopKeys(prefix, workshop.id).slots);
    if (masters.has(master)) continue;
    masters.add(master);
    found.push({ workshop, service: services[0]!, master });
  }
  expect(masters.size).toBe(cluster.ports.length);
  return found;
}

/** Three free slots a day or more ahead, from one availability read. */
async function threeSlotsAhead(workshopId: string) {
  const res = expectStatus(await apiB.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshopId } } }), 200);
  const soon = Date.now() + 24 * 3600_000;
  const slots = res.slots.filter((s) => Date.parse(s.startsAt) > soon && s.free > 0);
  expect(slots.length).toBeGreaterThanOrEqual(3);
  return [slots[0]!, slots[1]!, slots[2]!] as const;
}

describe('Holdfast on a three-master Redis Cluster', () => {
  it('holds, confirms, releases and expires on workshops on every master; watchers on the other server see each change', async () => {
    expect(a.redis).not.toBe(b.redis);
    const workshops = await workshopsOnEveryMaster();
    const customer = await register(apiB, 'customer');
    const owner = record(await open(a.url, customer.token));
    // The customer's `{c:…}` key lives on one master: at least two workshops are elsewhere.
    const customerMaster = await cluster.masterOf(customerHoldsKey(prefix, customer.id));
    expect(workshops.filter((w) => w.master !== customerMaster).length).toBeGreaterThanOrEqual(2);

    for (const { workshop, service } of workshops) {
      const watcher = record(await open(a.url));
      const snap = await watchOk(sockets.at(-1)!, workshop.id);
      const [first, second, third] = await threeSlotsAhead(workshop.id);

      // Hold through B, seen on A; confirm through A.
      const held = await hold(apiB, customer.token, workshop.id, service.id, first.id);
      expect(await watcher.waitForChange((e) => e.seq === snap.seq + 1)).toMatchObject({ cause: 'held', slots: [{ id: first.id, held: 1, free: 1 }] });
      const booking = await confirm(apiA, customer.token, held);
      expect(booking.status).toBe('pending');
      expect(await watcher.waitForChange((e) => e.seq === snap.seq + 2)).toMatchObject({ slots: [{ id: first.id, booked: 1, held: 0, free: 1 }] });

      // Hold through A, release through B.
      const released = await hold(apiA, customer.token, workshop.id, service.id, second.id);
      await watcher.waitForChange((e) => e.seq === snap.seq + 3 && e.cause === 'held');
      expect((await apiB.typed(customer.token).DELETE('/api/v1/holds/{id}', { params: { path: { id: released } } })).response.status).toBe(204);
      expect(await watcher.waitForChange((e) => e.seq === snap.seq + 4)).toMatchObject({ cause: 'released', slots: [{ id: second.id, held: 0, free: 2 }] });

      // A hold left to expire: one of the two sweepers claims it, the owner hears it once.
      const lapsing = await hold(apiB, customer.token, workshop.id, service.id, third.id);
      await watcher.waitForChange((e) => e.seq === snap.seq + 5);
      clock.advance(31_000);
      expect(await watcher.waitForChange((e) => e.seq === snap.seq + 6)).toMatchObject({ cause: 'expired', slots: [{ id: third.id, held: 0, free: 2 }] });
      await owner.waitFor('hold:expired', (e) => e.holdId === lapsing);
      expect(watcher.changes().map((e) => e.cause)).toEqual(['held', 'booked', 'held', 'released', 'held', 'expired']);
    }
    expect(owner.of('hold:expired')).toHaveLength(workshops.length);

    // The start-up and periodic repairs find live counters by scanning: every master's keys.
    expect(new Set(await a.holdStore.workshopsWithCounters())).toEqual(new Set(workshops.map((w) => w.workshop.id)));
    expect(await b.services.live.reconcileAll()).toBe(0);
    // About 10 s alone on two cores; the margin is for a machine busy with other suites.
  }, 90_000);

  it('serves the admin board (presence of both servers, the shared counters) from the cluster', async () => {
    const admin = await createAdmin(a, apiA);
    await open(a.url);
    await open(b.url);
    const board = expectStatus(await apiB.typed(admin.token).GET('/api/v1/admin/board'), 200).board;
    // Both servers' presence hashes are read (the sockets above; the first test's may still count).
    expect(board.totals.connectedSockets).toBeGreaterThanOrEqual(2);
  });
});

async function open(url: string, token?: string): Promise<ClientSocket> {
  const s = await connect(url, token ? { token } : {});
  sockets.push(s);
  return s;
}
