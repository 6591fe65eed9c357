import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardSnapshot, BoardWorkshopRow } from '@shared/realtime/events';
import type { RunningServer } from '../runtime';
import { createAdmin, register, verifiedWorkshop, confirm, connect, filePrefix, hold, record, slotAhead, watchOk, WAIT_MS, type ClientSocket } from './fixtures';
import { apiClient, startTestServer, type ApiClient } from './harness';

/*
 * The admin live board over two processes: what happens through either instance shows on
 * the board of both, live (`board:changed`) and over HTTP. This file has its own Redis
 * prefix, so the marketplace totals count exactly what it does.
 */

let a: RunningServer;
let b: RunningServer;
let apiA: ApiClient;
let apiB: ApiClient;
const sockets: ClientSocket[] = [];
const open = async (server: RunningServer, auth?: { token?: string }) => {
  const s = await connect(server.url, auth);
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  const env = { REDIS_PREFIX: filePrefix('rt-board') };
  [a, b] = await Promise.all([startTestServer(env), startTestServer(env)]);
  apiA = apiClient(a.url);
  apiB = apiClient(b.url);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([a?.close(), b?.close()]);
});

const rowOf = (board: BoardSnapshot, id: string) => board.workshops.find((w) => w.workshopId === id);
const matches = (board: BoardSnapshot, id: string, want: Partial<BoardWorkshopRow>) => {
  const row = rowOf(board, id);
  return !!row && Object.entries(want).every(([k, v]) => row[k as keyof BoardWorkshopRow] === v);
};

describe('admin live board', () => {
  it('shows holds, pending requests, bookings today, watchers and totals from both instances', async () => {
    const { workshop, service, vendor } = await verifiedWorkshop(a, apiA, { bays: 3 });
    const admin = await createAdmin(a, apiA);
    const [c1, c2, c3] = await Promise.all([1, 2, 3].map(() => register(apiA, 'customer')));
    const adminSock = await open(a, { token: admin.token });
    const live = record(adminSock);
    const first = await adminSock.timeout(WAIT_MS).emitWithAck('board:watch');
    if (!first.ok) throw new Error(first.error.code);
    expect(rowOf(first.data, workshop.id)).toMatchObject({ activeHolds: 0, pendingRequests: 0, oldestPendingAgeSec: null, bookingsToday: 0, watchers: 0, name: 'Test Garage', city: 'Leeds' });
    expect(first.data.totals).toMatchObject({ holdsPerMin: 0, bookingsPerMin: 0, conversion15m: null, connectedSockets: 1, holdToBroadcastP95Ms: null });
    await live.waitFor('board:snapshot'); // board:watch also sends it as an event

    const watcherA = await open(a);
    const watcherB = await open(b);
    await watchOk(watcherA, workshop.id);
    await watchOk(watcherB, workshop.id);
    const slots = await Promise.all([0, 1, 2].map((i) => slotAhead(apiA, workshop.id, i)));
    await hold(apiB, c1!.token, workshop.id, service.id, slots[0]!.id);
    await hold(apiA, c2!.token, workshop.id, service.id, slots[1]!.id);
    const booking = await confirm(apiB, c3!.token, await hold(apiB, c3!.token, workshop.id, service.id, slots[2]!.id));

    const want = { activeHolds: 2, pendingRequests: 1, bookingsToday: 1, watchers: 2 };
    // Each process adds its counts up and writes them every 500 ms, so the hold and the booking
    // counts may reach the board in different pushes: wait for the push that has both.
    const pushed: BoardSnapshot = await live.waitFor('board:changed', (s) => matches(s, workshop.id, want) && s.totals.holdsPerMin === 3 && s.totals.bookingsPerMin === 1);
    expect(pushed.totals).toMatchObject({ holdsPerMin: 3, bookingsPerMin: 1, connectedSockets: 3 });
    expect(pushed.totals.conversion15m).toBeCloseTo(1 / 3, 5);
    expect(pushed.totals.holdToBroadcastP95Ms).toBeGreaterThan(0);
    expect(rowOf(pushed, workshop.id)!.oldestPendingAgeSec).toBeGreaterThanOrEqual(0);

    // The other instance computes the same board from the shared stores.
    const http = await apiB.typed(admin.token).GET('/api/v1/admin/board');
    expect(http.response.status).toBe(200);
    expect(rowOf(http.data!.board, workshop.id)).toMatchObject(want);
    expect(http.data!.board.totals).toMatchObject({ holdsPerMin: 3, bookingsPerMin: 1, connectedSockets: 3 });

    const accept = await apiB.typed(vendor.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: booking.id, action: 'accept' } } });
    expect(accept.response.status).toBe(200);
    watcherB.close();
    const later: BoardSnapshot = await live.waitFor('board:changed', (s) => matches(s, workshop.id, { pendingRequests: 0, oldestPendingAgeSec: null, bookingsToday: 1, watchers: 1 }));
    expect(later.totals.connectedSockets).toBe(2);
  });
});
