import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { manualClock } from '../domain/clock';
import type { RunningServer } from '../runtime';
import { createAdmin, READY_CONTACT, register } from './fixtures';
import { apiClient, expectStatus, startTestServer, type ApiClient } from './harness';

const clock = manualClock(Date.parse('2027-03-20T12:00:00Z'));
let server: RunningServer;
let api: ApiClient;

beforeAll(async () => {
  server = await startTestServer({}, { clock });
  api = apiClient(server.url);
});
afterAll(() => server?.close());

const onWorkshop = (id: string) => ({ params: { path: { id } } });
const setHours = (id: string, hours: Array<{ weekday: number; opens: string; closes: string }>, token: string) =>
  api.typed(token).PUT('/api/v1/workshops/{id}/hours', { ...onWorkshop(id), body: hours });
const availability = (id: string, from: DateTime, to: DateTime) =>
  api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id }, query: { from: from.toISO()!, to: to.toISO()! } } });

async function londonWorkshop(bays = 2) {
  const vendor = await register(api, 'vendor');
  const admin = await createAdmin(server, api);
  const body = { name: 'DST Garage', city: 'London', address: '1 Clock St', timezone: 'Europe/London', bays, ...READY_CONTACT };
  const ws = expectStatus(await api.typed(vendor.token).POST('/api/v1/workshops', { body }), 201).workshop;
  const weekdays = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '17:00' }));
  expect((await setHours(ws.id, weekdays, vendor.token)).response.status).toBe(200);
  const service = { name: 'MOT', category: 'inspection' as const, durationMinutes: 30, basePriceCents: 5000, currency: 'GBP' };
  expect((await api.typed(vendor.token).POST('/api/v1/workshops/{id}/services', { ...onWorkshop(ws.id), body: service })).response.status).toBe(201);
  expect((await api.typed(admin.token).POST('/api/v1/admin/workshops/{id}/verify', onWorkshop(ws.id))).response.status).toBe(200);
  return { ws, vendor, admin };
}

const firstSlotOn = async (wsId: string, isoDay: string) => {
  const from = DateTime.fromISO(isoDay, { zone: 'Europe/London' });
  return expectStatus(await availability(wsId, from, from.plus({ days: 1 })), 200).slots;
};

describe('hours → slots in the workshop time zone', () => {
  it('opens at 08:00 local on both sides of the March clock change (Europe/London)', async () => {
    const { ws } = await londonWorkshop();
    const friday = await firstSlotOn(ws.id, '2027-03-26'); // GMT
    const monday = await firstSlotOn(ws.id, '2027-03-29'); // BST since Sunday 28th
    expect(friday[0]!.startsAt).toBe('2027-03-26T08:00:00.000Z');
    expect(monday[0]!.startsAt).toBe('2027-03-29T07:00:00.000Z');
    expect(friday).toHaveLength(18);
    expect(monday).toHaveLength(18);
    expect(await firstSlotOn(ws.id, '2027-03-28')).toHaveLength(0); // Sunday: closed
  });

  it('opens at 08:00 local on both sides of the October clock change', async () => {
    clock.set(Date.parse('2027-10-25T00:00:00Z') - 5 * 86_400_000);
    const { ws } = await londonWorkshop();
    const friday = await firstSlotOn(ws.id, '2027-10-29'); // BST
    const monday = await firstSlotOn(ws.id, '2027-11-01'); // GMT since Sunday 31st
    expect(friday[0]!.startsAt).toBe('2027-10-29T07:00:00.000Z');
    expect(monday[0]!.startsAt).toBe('2027-11-01T08:00:00.000Z');
    clock.set(Date.parse('2027-03-20T12:00:00Z'));
  });
});

describe('regeneration', () => {
  it('never deletes or shrinks a slot that has bookings; free future slots follow hours and bays', async () => {
    const { ws, vendor } = await londonWorkshop(3);
    const tuesday = await firstSlotOn(ws.id, '2027-03-23');
    const booked = tuesday[0]!;
    const free = tuesday[1]!;
    // Two bookings on the first slot, written as the booking engine would (Postgres, then Redis).
    await server.orm.em.getConnection().execute('update slot set booked = 2 where id = ?', [booked.id]);
    await server.holdStore.resync(ws.id, [{ slotId: booked.id, capacity: 3, booked: 2 }]);

    // Fewer bays: free slots shrink, the booked one keeps its capacity.
    expect((await api.typed(vendor.token).PATCH('/api/v1/workshops/{id}', { ...onWorkshop(ws.id), body: { bays: 1 } })).response.status).toBe(200);
    let after = await firstSlotOn(ws.id, '2027-03-23');
    expect(after.find((s) => s.id === booked.id)).toMatchObject({ capacity: 3, booked: 2 });
    expect(after.find((s) => s.id === free.id)).toMatchObject({ capacity: 1, booked: 0 });

    // Tuesday closed entirely: the booked slot survives for its bookings, withdrawn from sale
    // (nothing left to sell, not offered any more); the free ones go.
    const noTuesday = [1, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '17:00' }));
    expect((await setHours(ws.id, noTuesday, vendor.token)).response.status).toBe(200);
    expect(await firstSlotOn(ws.id, '2027-03-23')).toEqual([]);
    const kept = await server.orm.em.getConnection().execute(
      `select id, capacity, booked, withdrawn from slot where workshop_id = ? and starts_at >= ? and starts_at < ?`,
      [ws.id, DateTime.fromISO('2027-03-23', { zone: 'Europe/London' }).toJSDate(), DateTime.fromISO('2027-03-24', { zone: 'Europe/London' }).toJSDate()],
    );
    expect(kept).toEqual([{ id: booked.id, capacity: 2, booked: 2, withdrawn: true }]);

    // A closure on a day without bookings removes that day's slots.
    expect((await firstSlotOn(ws.id, '2027-03-24')).length).toBe(18);
    expect((await api.typed(vendor.token).POST('/api/v1/workshops/{id}/closures', { ...onWorkshop(ws.id), body: { date: '2027-03-24' } })).response.status).toBe(201);
    expect(await firstSlotOn(ws.id, '2027-03-24')).toHaveLength(0);
  });

  it('generates only the rolling horizon (28 days by default)', async () => {
    const { ws } = await londonWorkshop();
    const far = DateTime.fromMillis(clock.now()).plus({ days: 30 });
    const res = await availability(ws.id, far, far.plus({ days: 5 }));
    expect(res.data!.slots).toHaveLength(0);
  });
});
