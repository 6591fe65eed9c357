import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { apiClient, expectStatus, startTestServer, type ApiClient } from '../test/harness';
import { seedDemoData, type SeedResult } from './seed';
import { DEMO_ADMIN, DEMO_CUSTOMERS, DEMO_PASSWORDS, DEMO_WORKSHOPS } from './seed-data';

/*
 * The run's database is shared with other test files, and the seed's emails are fixed, so
 * every check is about what the seed guarantees (its own accounts and workshops), never about
 * table sizes or whether this file was the first to seed.
 */

// Every account, workshop and service the seed is responsible for.
const TOTAL = 1 + DEMO_CUSTOMERS.length + DEMO_WORKSHOPS.length * 2 + DEMO_WORKSHOPS.reduce((n, w) => n + w.services.length, 0);

let server: RunningServer;
let api: ApiClient;
let first: SeedResult;
let second: SeedResult;

beforeAll(async () => {
  server = await startTestServer();
  api = apiClient(server.url);
  const history = { orm: server.orm, now: new Date() };
  first = await seedDemoData(server.services, history);
  second = await seedDemoData(server.services, history);
});
afterAll(() => server?.close());

async function workshopIn(city: string, name: string) {
  const res = expectStatus(await api.typed().GET('/api/v1/workshops', { params: { query: { city } } }), 200);
  const found = res.workshops.filter((w) => w.name === name);
  // Exactly one: a second run that duplicated the workshop would show up here.
  expect(found, `${name} in ${city}`).toHaveLength(1);
  return found[0]!;
}

/** The next Saturday 09:00 in London at least an hour away, so the slot is not already past. */
function nextSaturdayNine(): DateTime {
  const now = DateTime.now().setZone('Europe/London');
  let day = now.startOf('day');
  while (day.weekday !== 6 || day.set({ hour: 9 }) < now.plus({ hours: 1 })) day = day.plus({ days: 1 });
  return day.set({ hour: 9 });
}

describe('seedDemoData', () => {
  it('accounts for every record, and a second run creates nothing', () => {
    expect(first.created + first.existing).toBe(TOTAL);
    expect(second).toEqual({ created: 0, existing: TOTAL, pastBookings: 0 });
  });

  it('gives every demo workshop four weeks of past bookings with reviews, keeping slot counts exact', async () => {
    expect(first.pastBookings).toBeGreaterThan(DEMO_WORKSHOPS.length * 10);
    for (const demo of DEMO_WORKSHOPS) {
      const w = await workshopIn(demo.workshop.city, demo.workshop.name);
      expect(w.ratingCount).toBeGreaterThan(5);
      expect(w.ratingAvg).toBeGreaterThanOrEqual(1);
      expect(w.ratingAvg).toBeLessThanOrEqual(5);
      const reviews = expectStatus(await api.typed().GET('/api/v1/workshops/{id}/reviews', { params: { path: { id: w.id }, query: { limit: 50 } } }), 200).reviews;
      expect(reviews).toHaveLength(Math.min(50, w.ratingCount));
      if (reviews.length === w.ratingCount) expect(reviews.reduce((n, r) => n + r.rating, 0) / reviews.length).toBeCloseTo(w.ratingAvg, 1);
      expect(reviews.every((r) => Date.parse(r.createdAt) < Date.now())).toBe(true);
    }
    // Every slot of the demo workshops counts exactly its active bookings (the engine's invariant).
    const [drift] = await server.orm.em.fork().execute<Array<{ n: number }>>(
      `select count(*)::int as n from slot s join workshop w on w.id = s.workshop_id
        where w.name in (?) and s.booked <> (select count(*) from booking_slot bs join booking b on b.id = bs.booking_id
          where bs.slot_id = s.id and b.status in ('pending', 'accepted', 'in_progress', 'completed', 'no_show'))`,
      [DEMO_WORKSHOPS.map((d) => d.workshop.name)],
    );
    expect(drift!.n).toBe(0);
  });

  it('lets the admin, the vendors and the customers log in with the demo passwords', async () => {
    const logins = [
      { email: DEMO_ADMIN.email, password: DEMO_PASSWORDS.admin, role: 'admin' },
      ...DEMO_WORKSHOPS.map((w) => ({ email: w.vendor.email, password: DEMO_PASSWORDS.vendor, role: 'vendor' })),
      ...DEMO_CUSTOMERS.map((c) => ({ email: c.email, password: DEMO_PASSWORDS.customer, role: 'customer' })),
    ];
    expect(logins).toHaveLength(9);
    for (const { email, password, role } of logins) {
      const res = await api.typed().POST('/api/v1/auth/login', { body: { email, password } });
      expect(res.response.status, `${email}: ${JSON.stringify(res.error ?? res.data)}`).toBe(200);
      expect(res.data!.user).toMatchObject({ email, role });
      expect(res.data!.token).toEqual(expect.any(String));
    }
  });

  it('publishes three verified workshops in their cities, with their services and hours', async () => {
    const cities = new Set(DEMO_WORKSHOPS.map((d) => d.workshop.city));
    expect(cities.size).toBe(3);
    for (const demo of DEMO_WORKSHOPS) {
      const w = await workshopIn(demo.workshop.city, demo.workshop.name);
      expect(w).toMatchObject({
        status: 'verified',
        bays: demo.workshop.bays,
        timezone: 'Europe/London',
        holdTtlSeconds: 120,
        autoAccept: demo.workshop.autoAccept,
      });
      const detail = expectStatus(await api.typed().GET('/api/v1/workshops/{id}', { params: { path: { id: w.id } } }), 200).workshop;
      expect(detail.services.map((s) => s.name).sort()).toEqual(demo.services.map((s) => s.name).sort());
      expect(detail.hours).toHaveLength(6);
    }
    expect(DEMO_WORKSHOPS.filter((d) => d.workshop.autoAccept)).toHaveLength(1);
    const mot = DEMO_WORKSHOPS.flatMap((d) => d.services).find((s) => s.name === 'MOT test');
    expect(mot?.basePriceCents).toBe(5485);
  });

  it('has generated slots, including the next Saturday from 09:00 to 13:00 local', async () => {
    const saturday = nextSaturdayNine();
    for (const demo of DEMO_WORKSHOPS) {
      const w = await workshopIn(demo.workshop.city, demo.workshop.name);
      const availability = (query?: { from: string; to: string }) => api.typed().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: w.id }, query } });
      const week = expectStatus(await availability(), 200);
      expect(week.slots.length).toBeGreaterThan(0);

      const sat = expectStatus(await availability({ from: saturday.toISO()!, to: saturday.plus({ hours: 6 }).toISO()! }), 200);
      const starts = sat.slots.map((s) => DateTime.fromISO(s.startsAt).setZone('Europe/London').toFormat('HH:mm'));
      // 30-minute slots from 09:00; the last starts at 12:30 because Saturday closes at 13:00.
      expect(starts[0]).toBe('09:00');
      expect(starts.at(-1)).toBe('12:30');
      expect(starts).toHaveLength(8);
      for (const slot of sat.slots) expect(slot.capacity).toBe(demo.workshop.bays);
    }
  });
});
