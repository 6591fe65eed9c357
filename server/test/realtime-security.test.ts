import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { ALL_WEEK, PAY_AT_WORKSHOP, READY_CONTACT, createAdmin, register, verifiedWorkshop, confirm, connect, filePrefix, hold, record, slotAhead, watch, watchOk, WAIT_MS, type ClientSocket } from './fixtures';
import { apiClient, startTestServer, type ApiClient } from './harness';

/*
 * Rooms are decided by the server from the token: nobody receives what they are not
 * entitled to, and asking for a room you may not join gets an error ack.
 * "Never received" is asserted after a sentinel event that left the same process later.
 */

let server: RunningServer;
let api: ApiClient;
const sockets: ClientSocket[] = [];
const open = async (auth?: { token?: string; cookie?: string; origin?: string }) => {
  const s = await connect(server.url, auth);
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  server = await startTestServer({ REDIS_PREFIX: filePrefix('rt-security') });
  api = apiClient(server.url);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

describe('room security', () => {
  it('keeps vendor, customer and anonymous sockets to their own events', async () => {
    const shopA = await verifiedWorkshop(server, api);
    const shopB = await verifiedWorkshop(server, api);
    const [c, d] = await Promise.all([register(api, 'customer'), register(api, 'customer')]);
    const admin = await createAdmin(server, api);
    const anon = record(await open());
    const vendorA = record(await open({ token: shopA.vendor.token }));
    const vendorB = record(await open({ token: shopB.vendor.token }));
    const custC = record(await open({ token: c.token }));
    // D signs in the way a browser does: the HttpOnly cookie, no explicit token.
    const custD = record(await open({ cookie: `hf_token=${d.token}` }));
    const adminSock = record(await open({ token: admin.token }));
    await watchOk(sockets[0]!, shopA.workshop.id); // anonymous may watch public availability

    const bookingC = await confirm(api, c.token, await hold(api, c.token, shopA.workshop.id, shopA.service.id, (await slotAhead(api, shopA.workshop.id)).id));
    await api.typed(shopA.vendor.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: bookingC.id, action: 'accept' } } });
    const bookingD = await confirm(api, d.token, await hold(api, d.token, shopB.workshop.id, shopB.service.id, (await slotAhead(api, shopB.workshop.id)).id));

    // Everyone entitled got theirs...
    await vendorA.waitFor('booking:changed', (e) => e.booking.id === bookingC.id && e.event.type === 'accepted');
    await custC.waitFor('booking:changed', (e) => e.booking.id === bookingC.id && e.event.type === 'accepted');
    await vendorB.waitFor('booking:changed', (e) => e.booking.id === bookingD.id);
    await custD.waitFor('booking:changed', (e) => e.booking.id === bookingD.id);
    // ...and the sentinel: a last change on A's workshop, after everything above.
    const last = await hold(api, d.token, shopA.workshop.id, shopA.service.id, (await slotAhead(api, shopA.workshop.id, 2)).id);
    await anon.waitForChange((c) => c.cause === 'held' && c.seq >= 3);
    expect(last).toBeTruthy();

    const bookingIds = (rec: ReturnType<typeof record>) => rec.of('booking:changed').map((e) => e.booking.id);
    expect(new Set(bookingIds(vendorA))).toEqual(new Set([bookingC.id]));
    expect(new Set(bookingIds(vendorB))).toEqual(new Set([bookingD.id]));
    expect(new Set(bookingIds(custC))).toEqual(new Set([bookingC.id]));
    expect(new Set(bookingIds(custD))).toEqual(new Set([bookingD.id]));
    // Anonymous: public counts only — no bookings, holds or board.
    expect(new Set(anon.events.map((e) => e.name))).toEqual(new Set(['slots:changed']));
    for (const e of anon.of('slots:changed')) expect(JSON.stringify(e)).not.toMatch(/customer|Test customer|holdId/);
    // The admin is not in `admin` until board:watch, and never in user/vendor rooms of others.
    expect(adminSock.events).toEqual([]);
  });

  it('refuses board:watch to non-admins and answers it for admins', async () => {
    const customer = await register(api, 'customer');
    const vendor = await register(api, 'vendor');
    const admin = await createAdmin(server, api);
    for (const s of [await open(), await open({ token: customer.token }), await open({ token: vendor.token })]) {
      const r = await s.timeout(WAIT_MS).emitWithAck('board:watch');
      expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    const r = await (await open({ token: admin.token })).timeout(WAIT_MS).emitWithAck('board:watch');
    expect(r.ok).toBe(true);
    const board = async (token?: string) => (await api.typed(token).GET('/api/v1/admin/board')).response.status;
    expect(await board(customer.token)).toBe(403);
    expect(await board()).toBe(401);
    expect(await board(admin.token)).toBe(200);
  });

  it('hides pending workshops from everyone but their owner', async () => {
    const vendor = await register(api, 'vendor');
    const created = await api.typed(vendor.token).POST('/api/v1/workshops', { body: { name: 'Unverified', city: 'York', address: '1 Lane', timezone: 'Europe/London', bays: 1 } });
    expect(created.response.status).toBe(201);
    const id = created.data!.workshop.id;
    const customer = await register(api, 'customer');
    for (const s of [await open(), await open({ token: customer.token })]) {
      expect(await watch(s, id)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect((await watch(await open({ token: vendor.token }), id)).ok).toBe(true);
    expect(await watch(await open(), '00000000-0000-4000-8000-000000000000')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses an explicit bad token but treats a stale cookie as anonymous', async () => {
    await expect(connect(server.url, { token: 'not-a-jwt' })).rejects.toThrow('UNAUTHENTICATED');
    const s = await open({ cookie: 'hf_token=not-a-jwt' });
    expect((await s.timeout(WAIT_MS).emitWithAck('board:watch')).ok).toBe(false);
  });

  it('honours the cookie only from our own pages: a foreign Origin gets an anonymous socket', async () => {
    const admin = await createAdmin(server, api);
    const cookie = `hf_token=${admin.token}`;
    const boardOk = async (s: Awaited<ReturnType<typeof open>>) => (await s.timeout(WAIT_MS).emitWithAck('board:watch')).ok;
    expect(await boardOk(await open({ cookie, origin: 'https://evil.example' }))).toBe(false);
    expect(await boardOk(await open({ cookie, origin: server.url }))).toBe(true);
    expect(await boardOk(await open({ cookie }))).toBe(true); // no Origin: not a browser page
    expect(await boardOk(await open({ token: admin.token, origin: 'https://evil.example' }))).toBe(true); // an explicit token is not ambient
  });

  it('reaches a vendor about a workshop created after its socket connected, without a reconnect', async () => {
    const vendor = await register(api, 'vendor');
    const admin = await createAdmin(server, api);
    const vendorRec = record(await open({ token: vendor.token }));
    // Created, set up and verified after the socket connected: it joined no vendor: room for it.
    const asVendor = api.typed(vendor.token);
    const created = await asVendor.POST('/api/v1/workshops', { body: { name: 'Late Garage', city: 'Hull', address: '2 Road', timezone: 'Europe/London', bays: 1, ...READY_CONTACT } });
    const id = created.data!.workshop.id;
    const path = { params: { path: { id } } };
    expect((await asVendor.PUT('/api/v1/workshops/{id}/hours', { ...path, body: ALL_WEEK })).response.status).toBe(200);
    const svc = await asVendor.POST('/api/v1/workshops/{id}/services', { ...path, body: { name: 'MOT', category: 'inspection', durationMinutes: 30, basePriceCents: 5000, currency: 'GBP' } });
    expect(svc.response.status, JSON.stringify(svc.error)).toBe(201);
    expect((await asVendor.PUT('/api/v1/workshops/{id}/money-policy', { ...path, body: PAY_AT_WORKSHOP })).response.status).toBe(200);
    expect((await api.typed(admin.token).POST('/api/v1/admin/workshops/{id}/verify', path)).response.status).toBe(200);
    const customer = await register(api, 'customer');
    const booking = await confirm(api, customer.token, await hold(api, customer.token, id, svc.data!.service.id, (await slotAhead(api, id)).id));
    expect(await vendorRec.waitFor('booking:changed', (e) => e.booking.id === booking.id)).toMatchObject({ event: { type: 'requested' } });
  });
});
