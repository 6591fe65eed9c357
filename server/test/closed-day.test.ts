import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { manualClock } from '../domain/clock';
import { localDayOf } from '../domain/slot-generation';
import { expectStatus } from './harness';
import { ALL_WEEK, type Account, bookAs, dayOfSlots, expectSlotInvariants, pgSlots, quickAccounts, quickWorkshop, redisSlots, startEngineServer, type EngineServer, connect, nextChange, watchOk } from './fixtures';

/*
 * Hours the schedule no longer offers must not sell their leftover bays. Slots that carry bookings
 * are kept for them ("withdrawn"), with capacity cut to what is booked, left out of availability
 * and refused for holds; offering the hours again puts them back on sale. (A whole closed day
 * never keeps bookings: closing it resolves each one first, see disruption.test.ts.)
 */

const clock = manualClock();
let es: EngineServer;
let customers: Account[];

beforeAll(async () => {
  es = await startEngineServer({ clock, sweepers: false });
  customers = await quickAccounts(es.server, 3);
});
afterAll(() => es?.server.close());

const availability = async (workshopId: string, from: Date) => {
  const query = { from: from.toISOString(), to: new Date(from.getTime() + 86_400_000).toISOString() };
  return expectStatus(await es.api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: workshopId }, query } }), 200);
};
const act = (id: string, action: 'accept' | 'cancel', who: Account) => es.api.typed(who.token).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id, action } } });
const hold = (w: { workshop: { id: string }; service: { id: string } }, slotId: string, who: Account) =>
  es.api.typed(who.token).POST('/api/v1/holds', { body: { workshopId: w.workshop.id, serviceId: w.service.id, slotId } });
const closeDay = (workshopId: string, body: { date: string; reason?: string }, who: Account) =>
  es.api.typed(who.token).POST('/api/v1/workshops/{id}/closures', { params: { path: { id: workshopId } }, body });
/** Every day 08–18, except the weekday of `day` (a London date), which opens at `opens`. */
const hoursOpeningLate = (day: Date, opens: string) => {
  const weekday = DateTime.fromJSDate(day, { zone: 'Europe/London' }).weekday % 7;
  return ALL_WEEK.map((h) => (h.weekday === weekday ? { ...h, opens } : h));
};
const setHours = (workshopId: string, body: Array<{ weekday: number; opens: string; closes: string }>, who: Account) =>
  es.api.typed(who.token).PUT('/api/v1/workshops/{id}/hours', { params: { path: { id: workshopId } }, body });

describe('hours that no longer cover booked slots', () => {
  it('keep the bookings, sell nothing more there (HTTP, socket, hold, Postgres), and offering the hours again restores it', async () => {
    const w = await quickWorkshop(es, { bays: 2 });
    const day = await dayOfSlots(es.server, w.workshop.id, clock.now());
    const [nine, nineThirty] = [day[2]!, day[3]!];
    const [a, b, c] = customers as [Account, Account, Account];
    const accepted = await bookAs(es, w, a, nine.id);
    expect((await act(accepted.id, 'accept', w.vendor)).response.status).toBe(200);
    const pending = await bookAs(es, w, b, nineThirty.id);
    const date = localDayOf(nine.startsAt, 'Europe/London');

    const watcher = await connect(es.server.url);
    try {
      await watchOk(watcher, w.workshop.id);
      // Closing the whole day is refused while bookings are on it (each must be moved or cancelled first).
      const refused = await closeDay(w.workshop.id, { date, reason: 'Staff training' }, w.vendor);
      expect({ status: refused.response.status, code: refused.error?.error.code }).toEqual({ status: 409, code: 'DAY_HAS_BOOKINGS' });

      // That weekday now opens at 10:00: 08:00–09:30 are no longer offered.
      const schedule = nextChange(watcher, (c) => c.cause === 'schedule');
      expectStatus(await setHours(w.workshop.id, hoursOpeningLate(nine.startsAt, '10:00'), w.vendor), 200);
      await schedule; // open grids re-snapshot

      // Nothing before 10:00 that day is offered, over HTTP or in a socket snapshot.
      const early = day.slice(0, 4).map((s) => s.id);
      const offeredIds = (await availability(w.workshop.id, day[0]!.startsAt)).slots.filter((s) => localDayOf(new Date(s.startsAt), 'Europe/London') === date).map((s) => s.id);
      expect(offeredIds.filter((id) => early.includes(id))).toEqual([]);
      expect(offeredIds).toContain(day[4]!.id);
      const snap = await watchOk(watcher, w.workshop.id);
      expect(snap.slots.map((s) => s.id)).not.toContain(nine.id);

      // The two bookings stay as they were.
      for (const [id, status] of [[accepted.id, 'accepted'], [pending.id, 'pending']] as const) {
        expect(expectStatus(await es.api.typed(w.vendor.token).GET('/api/v1/bookings/{id}', { params: { path: { id } } }), 200).booking.status).toBe(status);
      }
      // The leftover bay of 09:00 cannot be held (clear reason) and Postgres has none to give.
      const held = await hold(w, nine.id, c);
      expect({ status: held.response.status, code: held.error?.error.code }).toEqual({ status: 409, code: 'SLOT_WITHDRAWN' });
      expect((await pgSlots(es.server, [nine.id])).get(nine.id)).toEqual({ capacity: 1, booked: 1 });
      expect((await redisSlots(es.server, w.workshop.id, [nine.id])).get(nine.id)).toMatchObject({ capacity: 1, booked: 1, free: 0 });
      await expectSlotInvariants(es.server, w.workshop.id, [nine.id, nineThirty.id]);

      // A cancellation in those hours does not free a unit for sale either.
      expect((await act(pending.id, 'cancel', b)).response.status).toBe(200);
      expect((await pgSlots(es.server, [nineThirty.id])).get(nineThirty.id)).toEqual({ capacity: 0, booked: 0 });
      const again = await hold(w, nineThirty.id, c);
      expect(again.response.status).toBe(409);

      // Offering the hours again puts every slot back on sale with the workshop's bays.
      const reopened = nextChange(watcher, (c) => c.cause === 'schedule');
      expectStatus(await setHours(w.workshop.id, ALL_WEEK, w.vendor), 200);
      await reopened;
      expect((await pgSlots(es.server, [nine.id, nineThirty.id])).get(nine.id)).toEqual({ capacity: 2, booked: 1 });
      const offered = (await availability(w.workshop.id, day[0]!.startsAt)).slots;
      expect(offered.find((s) => s.id === nine.id)).toMatchObject({ free: 1 });
      expect(offered.find((s) => s.id === nineThirty.id)).toMatchObject({ free: 2 });
      await bookAs(es, w, c, nine.id);
      await expectSlotInvariants(es.server, w.workshop.id, [nine.id, nineThirty.id]);
    } finally {
      watcher.disconnect();
    }
  });

  it('a two-slot job in those hours is refused as well', async () => {
    const w = await quickWorkshop(es, { bays: 2, services: [{ durationMinutes: 60 }] });
    const day = await dayOfSlots(es.server, w.workshop.id, clock.now());
    await bookAs(es, w, customers[0]!, day[4]!.id); // 10:00–11:00 on the 60-minute service
    expectStatus(await setHours(w.workshop.id, hoursOpeningLate(day[4]!.startsAt, '11:00'), w.vendor), 200);
    const res = await hold(w, day[4]!.id, customers[1]!);
    expect(res.response.status).toBe(409);
    expect(res.error!.error.code).toBe('SLOT_WITHDRAWN');
  });
});
