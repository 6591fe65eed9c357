import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { localDayOf } from '../domain/slot-generation';
import { type Account, bookAs, dayOfSlots, expectSlotInvariants, pgSlots, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer, connect, nextEvent, watchOk } from './fixtures';

/*
 * A closed day must not sell its leftover bays. Slots that carry bookings are kept for them
 * ("withdrawn"), with capacity cut to what is booked, left out of availability and refused
 * for holds; reopening the day puts them back on sale.
 */

const clock = manualClock();
let es: EngineServer;
let customers: Account[];

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false });
  customers = await quickAccounts(es.server, 3);
});
afterAll(() => es?.server.close());

const availability = async (workshopId: string, from: Date) =>
  (await es.api.get(`/api/workshops/${workshopId}/availability?from=${from.toISOString()}&to=${new Date(from.getTime() + 86_400_000).toISOString()}`)).body;

describe('closing a day that has bookings', () => {
  it('keeps the bookings, sells nothing more that day (HTTP, socket, hold, Postgres), and reopening restores it', async () => {
    const w = await quickWorkshop(es, { bays: 2 });
    const day = await dayOfSlots(es.server, w.workshop.id, clock.now());
    const [nine, nineThirty] = [day[2]!, day[3]!];
    const [a, b, c] = customers as [Account, Account, Account];
    const accepted = await bookAs(es, w, a, nine.id);
    expect((await es.api.post(`/api/bookings/${accepted.id}/accept`, undefined, w.vendor.token)).status).toBe(200);
    const pending = await bookAs(es, w, b, nineThirty.id);
    const date = localDayOf(nine.startsAt, 'Europe/London');

    const watcher = await connect(es.server.url);
    try {
      await watchOk(watcher, w.workshop.id);
      const schedule = nextEvent(watcher, 'slots:changed', (e) => e.cause === 'schedule');
      const closed = await es.api.post(`/api/workshops/${w.workshop.id}/closures`, { date, reason: 'Staff training' }, w.vendor.token);
      expect(closed.status, JSON.stringify(closed.body)).toBe(201);
      await schedule; // open grids re-snapshot

      // Nothing of that day is offered, over HTTP or in a socket snapshot.
      expect((await availability(w.workshop.id, day[0]!.startsAt)).slots.filter((s: { startsAt: string }) => localDayOf(new Date(s.startsAt), 'Europe/London') === date)).toEqual([]);
      const snap = await watchOk(watcher, w.workshop.id);
      expect(snap.slots.map((s) => s.id)).not.toContain(nine.id);

      // The two bookings stay as they were.
      for (const [id, status] of [[accepted.id, 'accepted'], [pending.id, 'pending']] as const) {
        expect((await es.api.get(`/api/bookings/${id}`, w.vendor.token)).body.booking.status).toBe(status);
      }
      // The leftover bay of 09:00 cannot be held (clear reason) and Postgres has none to give.
      const held = await es.api.post('/api/holds', { workshopId: w.workshop.id, serviceId: w.service.id, slotId: nine.id }, c.token);
      expect({ status: held.status, code: held.body.error?.code }).toEqual({ status: 409, code: 'SLOT_WITHDRAWN' });
      expect((await pgSlots(es.server, [nine.id])).get(nine.id)).toEqual({ capacity: 1, booked: 1 });
      expect((await redisSlots(es.server, w.workshop.id, [nine.id])).get(nine.id)).toMatchObject({ capacity: 1, booked: 1, free: 0 });
      await expectSlotInvariants(es.server, w.workshop.id, [nine.id, nineThirty.id]);

      // A cancellation on the closed day does not free a unit for sale either.
      expect((await es.api.post(`/api/bookings/${pending.id}/cancel`, undefined, b.token)).status).toBe(200);
      expect((await pgSlots(es.server, [nineThirty.id])).get(nineThirty.id)).toEqual({ capacity: 0, booked: 0 });
      const again = await es.api.post('/api/holds', { workshopId: w.workshop.id, serviceId: w.service.id, slotId: nineThirty.id }, c.token);
      expect(again.status).toBe(409);

      // Reopening the day puts every slot back on sale with the workshop's bays.
      const reopened = nextEvent(watcher, 'slots:changed', (e) => e.cause === 'schedule');
      expect((await es.api.del(`/api/workshops/${w.workshop.id}/closures/${closed.body.closure.id}`, w.vendor.token)).status).toBe(204);
      await reopened;
      expect((await pgSlots(es.server, [nine.id, nineThirty.id])).get(nine.id)).toEqual({ capacity: 2, booked: 1 });
      const offered = (await availability(w.workshop.id, day[0]!.startsAt)).slots as Array<{ id: string; free: number }>;
      expect(offered.find((s) => s.id === nine.id)).toMatchObject({ free: 1 });
      expect(offered.find((s) => s.id === nineThirty.id)).toMatchObject({ free: 2 });
      await bookAs(es, w, c, nine.id);
      await expectSlotInvariants(es.server, w.workshop.id, [nine.id, nineThirty.id]);
    } finally {
      watcher.disconnect();
    }
  });

  it('a two-slot job on the closed day is refused as well', async () => {
    const w = await quickWorkshop(es, { bays: 2, services: [{ durationMinutes: 60 }] });
    const day = await dayOfSlots(es.server, w.workshop.id, clock.now());
    await bookAs(es, w, customers[0]!, day[4]!.id); // 10:00–11:00 on the 60-minute service
    const date = localDayOf(day[0]!.startsAt, 'Europe/London');
    expect((await es.api.post(`/api/workshops/${w.workshop.id}/closures`, { date }, w.vendor.token)).status).toBe(201);
    const res = await es.api.post('/api/holds', { workshopId: w.workshop.id, serviceId: w.service.id, slotId: day[4]!.id }, customers[1]!.token);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('SLOT_WITHDRAWN');
  });
});
