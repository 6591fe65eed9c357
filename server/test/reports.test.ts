import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { manualClock } from '../domain/clock';
import { quickAccounts, quickWorkshop, startEngineServer, type Account, type EngineServer } from './fixtures';
import type { ApiResponse } from './harness';

const expectOk = (r: ApiResponse) => {
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};

/*
 * Booking reports against a seeded dataset with known answers. Slots and bookings are written
 * straight into Postgres in June 2035 (a month no other file uses), before the server's manual
 * clock (20 June 2035), for three workshops in two cities only this file uses.
 *
 * Workshop A (Europe/London, BST = UTC+1; 2 bays), services S1 "=Brakes, \"front\"" and S2 "Tyres".
 * Slots (local time, capacity 2): 10 Jun 00:30 (30 min, 1 booked), 10 Jun 09:00 (60, 2), 10 Jun 10:00
 * (60, 1), 11 Jun 09:00 (60, 1), 11 Jun 10:00 (60, 0), 13 Jun 00:30 local = 12 Jun 23:30 UTC (30, 2).
 * Bookings (appointment local, lead = starts − created):
 *   1 S1 completed 10 Jun 09:00 lead 24 h 100.00 · 2 S1 completed 10 Jun 09:00 lead 6 h 100.00
 *   3 S2 no_show 10 Jun 10:00 lead 48 h · 4 S2 cancelled 11 Jun 09:00 lead 24 h
 *   5 S1 accepted 11 Jun 09:00 lead 2 h · 6 S2 declined 11 Jun 10:00 lead 2 h
 *   7 S2 completed 10 Jun 00:30 (9 Jun 23:30 UTC) lead 12 h 40.00 · 8 S1 pending 12 Jun 09:00 lead 24 h
 *   9 S2 expired 12 Jun 10:00 lead 3 h · 10 S1 completed and 11 S1 accepted 13 Jun 00:30 (12 Jun 23:30 UTC), leads 12 h and 1 h
 *   12 S1 completed 9 Jun 23:00 local: outside every range below.
 * Workshop B (A's city): a 60-minute slot 11 Jun 09:00 local, full (2 of 2): b1 completed lead 24 h
 * 50.00, b2 no_show lead 1 h. Workshop C (another city): a 60-minute slot 12 Jun 10:00 UTC, empty;
 * c1 cancelled lead 1 h.
 */

const clock = manualClock(Date.parse('2035-06-20T12:00:00Z'));
const tag = randomUUID().slice(0, 8);
const CITY_X = `Reportford ${tag}`;
const CITY_Y = `Otherton ${tag}`;
let es: EngineServer;
let db: pg.Client;
let a: Awaited<ReturnType<typeof quickWorkshop>>;
let b: Awaited<ReturnType<typeof quickWorkshop>>;
let c: Awaited<ReturnType<typeof quickWorkshop>>;
let customer: Account;
let admin: Account;
let s1: string;
let s2: string;

async function slot(workshopId: string, startsAt: string, minutes: number, booked: number): Promise<string> {
  const id = randomUUID();
  const start = new Date(startsAt);
  await db.query(`insert into slot (id, workshop_id, starts_at, ends_at, capacity, booked) values ($1, $2, $3, $4, 2, $5)`, [
    id, workshopId, start, new Date(start.getTime() + minutes * 60_000), booked,
  ]);
  return id;
}

async function booking(workshopId: string, serviceId: string, firstSlot: string, status: string, startsAt: string, leadHours: number, priceCents = 5000, bay: number | null = null) {
  const start = new Date(startsAt);
  const created = new Date(start.getTime() - leadHours * 3_600_000);
  await db.query(
    `insert into booking (id, customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, status, price_cents, currency, options, created_at, updated_at, bay)
     values ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, 'GBP', '{}', $10, $10, $11)`,
    [randomUUID(), customer.id, workshopId, serviceId, firstSlot, start, new Date(start.getTime() + 3_600_000), status, priceCents, created, bay],
  );
}

beforeAll(async () => {
  es = await startEngineServer({ clock });
  db = new pg.Client({ connectionString: inject('databaseUrl') });
  await db.connect();
  a = await quickWorkshop(es, { services: [{ name: '=Brakes, "front"', durationMinutes: 60 }, { name: 'Tyres', durationMinutes: 30 }] });
  [b, c] = [await quickWorkshop(es), await quickWorkshop(es)];
  [[customer], [admin]] = [await quickAccounts(es.server, 1), await quickAccounts(es.server, 1, 'admin')] as [[Account], [Account]];
  [s1, s2] = [a.services[0]!.id, a.services[1]!.id];
  await db.query(`update workshop set city = $1 where id = any($2::uuid[])`, [CITY_X, [a.workshop.id, b.workshop.id]]);
  await db.query(`update workshop set city = $1 where id = $2`, [CITY_Y, c.workshop.id]);

  const early = await slot(a.workshop.id, '2035-06-09T23:30:00Z', 30, 1);
  const a10at9 = await slot(a.workshop.id, '2035-06-10T08:00:00Z', 60, 2);
  const a10at10 = await slot(a.workshop.id, '2035-06-10T09:00:00Z', 60, 1);
  const a11at9 = await slot(a.workshop.id, '2035-06-11T08:00:00Z', 60, 1);
  const a11at10 = await slot(a.workshop.id, '2035-06-11T09:00:00Z', 60, 0);
  const late = await slot(a.workshop.id, '2035-06-12T23:30:00Z', 30, 2);
  await booking(a.workshop.id, s1, a10at9, 'completed', '2035-06-10T08:00:00Z', 24, 10_000, 1);
  await booking(a.workshop.id, s1, a10at9, 'completed', '2035-06-10T08:00:00Z', 6, 10_000, 2);
  await booking(a.workshop.id, s2, a10at10, 'no_show', '2035-06-10T09:00:00Z', 48);
  await booking(a.workshop.id, s2, a11at9, 'cancelled', '2035-06-11T08:00:00Z', 24, 5000, 2);
  await booking(a.workshop.id, s1, a11at9, 'accepted', '2035-06-11T08:00:00Z', 2, 5000, 1);
  await booking(a.workshop.id, s2, a11at10, 'declined', '2035-06-11T09:00:00Z', 2, 5000, 2);
  await booking(a.workshop.id, s2, early, 'completed', '2035-06-09T23:30:00Z', 12, 4000);
  await booking(a.workshop.id, s1, a11at9, 'pending', '2035-06-12T08:00:00Z', 24);
  await booking(a.workshop.id, s2, a11at10, 'expired', '2035-06-12T09:00:00Z', 3);
  await booking(a.workshop.id, s1, late, 'completed', '2035-06-12T23:30:00Z', 12, 10_000);
  await booking(a.workshop.id, s1, late, 'accepted', '2035-06-12T23:30:00Z', 1);
  await booking(a.workshop.id, s1, early, 'completed', '2035-06-09T22:00:00Z', 5);

  const b11 = await slot(b.workshop.id, '2035-06-11T08:00:00Z', 60, 2);
  await booking(b.workshop.id, b.service.id, b11, 'completed', '2035-06-11T08:00:00Z', 24, 5000);
  await booking(b.workshop.id, b.service.id, b11, 'no_show', '2035-06-11T08:00:00Z', 1);
  const c12 = await slot(c.workshop.id, '2035-06-12T10:00:00Z', 60, 0);
  await booking(c.workshop.id, c.service.id, c12, 'cancelled', '2035-06-12T10:00:00Z', 1);
});
afterAll(async () => {
  await db?.end();
  await es?.server.close();
});

const statuses = (s: Partial<Record<string, number>>) => ({ pending: 0, accepted: 0, in_progress: 0, completed: 0, declined: 0, cancelled: 0, expired: 0, no_show: 0, ...s });
const RANGE = 'from=2035-06-10&to=2035-06-12';

describe('a visit of several services', () => {
  it('counts once in the totals and once under each of its services, with each line price', async () => {
    const d = await quickWorkshop(es, { services: [{ name: 'MOT', durationMinutes: 60 }, { name: 'Oil change', durationMinutes: 30 }] });
    const [mot, oil] = [d.services[0]!.id, d.services[1]!.id];
    const first = await slot(d.workshop.id, '2035-06-10T08:00:00Z', 60, 1);
    const id = randomUUID();
    const start = new Date('2035-06-10T08:00:00Z');
    // Written in one transaction with its lines, as a confirm writes it (the default line is for bookings written without).
    await db.query('begin');
    await db.query(
      `insert into booking (id, customer_id, workshop_id, service_id, first_slot_id, slot_count, starts_at, ends_at, status, price_cents, currency, options, created_at, updated_at)
       values ($1, $2, $3, $4, $5, 2, $6, $7, 'completed', 14000, 'GBP', '{}', $8, $8)`,
      [id, customer.id, d.workshop.id, mot, first, start, new Date(start.getTime() + 90 * 60_000), new Date(start.getTime() - 24 * 3_600_000)],
    );
    await db.query(`insert into booking_service (booking_id, position, service_id, duration_minutes, price_cents) values ($1, 0, $2, 60, 10000), ($1, 1, $3, 30, 4000)`, [id, mot, oil]);
    await db.query('commit');

    const report = expectOk(await es.api.get(`/api/v1/workshops/${d.workshop.id}/reports?${RANGE}`, d.vendor.token)).report;
    expect(report.totals).toMatchObject({ bookings: 1, completedValue: [{ currency: 'GBP', completedCents: 14_000 }] });
    const byId = Object.fromEntries(report.services.map((x: { serviceId: string }) => [x.serviceId, x]));
    expect(byId[mot]).toMatchObject({ name: 'MOT', bookings: 1, completedCents: 10_000 });
    expect(byId[oil]).toMatchObject({ name: 'Oil change', bookings: 1, completedCents: 4000 });
  });
});

describe("a workshop's report (local days of its zone)", () => {
  it('counts, rates, lead times, utilisation per day and per hour, and per service, with known answers', async () => {
    const r = await es.api.get(`/api/v1/workshops/${a.workshop.id}/reports?${RANGE}`, a.vendor.token);
    expect(r.status).toBe(200);
    const report = r.body.report;
    expect(report).toMatchObject({ workshopId: a.workshop.id, timezone: 'Europe/London', from: '2035-06-10', to: '2035-06-12', bays: 2 });
    // Per bay (bookings 1 and 5 in bay 1, booking 2 in bay 2; a cancelled and a declined one in bay 2
    // hold no unit): each bay is open 30 + 4 × 60 minutes; the no-show, the early completed and the
    // pending booking (60 minutes each) have no bay.
    expect(report.byBay).toEqual([
      { bay: 1, utilisation: { bookedBayMinutes: 120, openBayMinutes: 270, rate: 0.4444 } },
      { bay: 2, utilisation: { bookedBayMinutes: 60, openBayMinutes: 270, rate: 0.2222 } },
    ]);
    expect(report.unassignedBookedBayMinutes).toBe(180);
    expect(report.totals).toEqual({
      bookings: 9,
      byStatus: statuses({ pending: 1, accepted: 1, completed: 3, declined: 1, cancelled: 1, expired: 1, no_show: 1 }),
      cancellationRate: 0.1111,
      noShowRate: 0.25,
      leadTimeHours: { median: 24, p90: 33.6 },
      utilisation: { bookedBayMinutes: 270, openBayMinutes: 540, rate: 0.5 },
      completedValue: [{ currency: 'GBP', completedCents: 24_000 }],
    });
    expect(report.days).toEqual([
      { date: '2035-06-10', bookings: 4, byStatus: statuses({ completed: 3, no_show: 1 }), cancellationRate: 0, noShowRate: 0.25, leadTimeHours: { median: 18, p90: 40.8 }, utilisation: { bookedBayMinutes: 210, openBayMinutes: 300, rate: 0.7 } },
      { date: '2035-06-11', bookings: 3, byStatus: statuses({ accepted: 1, declined: 1, cancelled: 1 }), cancellationRate: 0.3333, noShowRate: null, leadTimeHours: { median: 13, p90: 21.8 }, utilisation: { bookedBayMinutes: 60, openBayMinutes: 240, rate: 0.25 } },
      { date: '2035-06-12', bookings: 2, byStatus: statuses({ pending: 1, expired: 1 }), cancellationRate: 0, noShowRate: null, leadTimeHours: { median: 24, p90: 24 }, utilisation: { bookedBayMinutes: 0, openBayMinutes: 0, rate: null } },
    ]);
    expect(report.hours).toEqual([
      { hour: 0, utilisation: { bookedBayMinutes: 30, openBayMinutes: 60, rate: 0.5 } },
      { hour: 9, utilisation: { bookedBayMinutes: 180, openBayMinutes: 240, rate: 0.75 } },
      { hour: 10, utilisation: { bookedBayMinutes: 60, openBayMinutes: 240, rate: 0.25 } },
    ]);
    expect(report.services).toEqual([
      { serviceId: s2, name: 'Tyres', category: expect.any(String), currency: 'GBP', bookings: 5, byStatus: statuses({ completed: 1, declined: 1, cancelled: 1, expired: 1, no_show: 1 }), cancellationRate: 0.2, noShowRate: 0.5, leadTimeHours: { median: 24, p90: 43.2 }, completedCents: 4000 },
      { serviceId: s1, name: '=Brakes, "front"', category: expect.any(String), currency: 'GBP', bookings: 4, byStatus: statuses({ pending: 1, accepted: 1, completed: 2 }), cancellationRate: 0, noShowRate: 0, leadTimeHours: { median: 15, p90: 24 }, completedCents: 20_000 },
    ]);
  });

  it('downloads the same figures as CSV, names defused against spreadsheet formulas and quoted', async () => {
    const res = await fetch(`${es.server.url}/api/v1/workshops/${a.workshop.id}/reports.csv?${RANGE}`, { headers: { authorization: `Bearer ${a.vendor.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="report-2035-06-10-to-2035-06-12.csv"');
    const hourBlank = ',,,,,,,,,,,,';
    expect((await res.text()).split('\r\n')).toEqual([
      'section,key,name,bookings,pending,accepted,in_progress,completed,declined,cancelled,expired,no_show,cancellation_rate,no_show_rate,lead_time_median_hours,lead_time_p90_hours,booked_bay_minutes,open_bay_minutes,utilisation',
      'total,2035-06-10..2035-06-12,,9,1,1,0,3,1,1,1,1,0.1111,0.25,24,33.6,270,540,0.5',
      'day,2035-06-10,,4,0,0,0,3,0,0,0,1,0,0.25,18,40.8,210,300,0.7',
      'day,2035-06-11,,3,0,1,0,0,1,1,0,0,0.3333,,13,21.8,60,240,0.25',
      'day,2035-06-12,,2,1,0,0,0,0,0,1,0,0,,24,24,0,0,',
      `hour,00,,${hourBlank},30,60,0.5`,
      `hour,09,,${hourBlank},180,240,0.75`,
      `hour,10,,${hourBlank},60,240,0.25`,
      `bay,1,Bay 1,${hourBlank},120,270,0.4444`,
      `bay,2,Bay 2,${hourBlank},60,270,0.2222`,
      `bay,unassigned,No bay assigned,${hourBlank},180,0,`,
      `service,${s2},Tyres,5,0,0,0,1,1,1,1,1,0.2,0.5,24,43.2,,,`,
      `service,${s1},"'=Brakes, ""front""",4,1,1,0,2,0,0,0,0,0,0,15,24,,,`,
      '',
    ]);
  });

  it('covers the last 30 local days up to today by the server clock when no range is given', async () => {
    const report = (await es.api.get(`/api/v1/workshops/${a.workshop.id}/reports`, a.vendor.token)).body.report;
    expect([report.from, report.to, report.days.length]).toEqual(['2035-05-22', '2035-06-20', 30]);
    expect(report.totals.bookings).toBe(12);
  });
});

describe('the marketplace report (admins)', () => {
  it('per workshop and per city over UTC days, with the daily trend; `city` keeps one city, case-insensitively', async () => {
    const r = await es.api.get(`/api/v1/admin/reports?${RANGE}&city=${encodeURIComponent(CITY_X.toUpperCase())}`, admin.token);
    expect(r.status).toBe(200);
    const report = r.body.report;
    expect(report).toMatchObject({ timezone: 'UTC', from: '2035-06-10', to: '2035-06-12', city: CITY_X.toUpperCase() });
    const cityX = {
      bookings: 12,
      byStatus: statuses({ pending: 1, accepted: 2, completed: 4, declined: 1, cancelled: 1, expired: 1, no_show: 2 }),
      cancellationRate: 0.0833,
      noShowRate: 0.3333,
      leadTimeHours: { median: 18, p90: 26.4 },
      utilisation: { bookedBayMinutes: 420, openBayMinutes: 660, rate: 0.6364 },
    };
    expect(report.totals).toEqual({ ...cityX, completedValue: [{ currency: 'GBP', completedCents: 35_000 }] });
    expect(report.cities).toEqual([{ city: CITY_X, workshops: 2, ...cityX }]);
    expect(report.workshops).toEqual([
      {
        workshopId: a.workshop.id, name: 'Engine Garage', city: CITY_X, bookings: 10,
        byStatus: statuses({ pending: 1, accepted: 2, completed: 3, declined: 1, cancelled: 1, expired: 1, no_show: 1 }),
        cancellationRate: 0.1, noShowRate: 0.25, leadTimeHours: { median: 18, p90: 31.2 },
        utilisation: { bookedBayMinutes: 300, openBayMinutes: 540, rate: 0.5556 },
      },
      {
        workshopId: b.workshop.id, name: 'Engine Garage', city: CITY_X, bookings: 2,
        byStatus: statuses({ completed: 1, no_show: 1 }), cancellationRate: 0, noShowRate: 0.5, leadTimeHours: { median: 12.5, p90: 21.7 },
        utilisation: { bookedBayMinutes: 120, openBayMinutes: 120, rate: 1 },
      },
    ]);
    expect(report.days.map((d: any) => [d.date, d.bookings, d.utilisation.rate])).toEqual([['2035-06-10', 3, 0.75], ['2035-06-11', 5, 0.5], ['2035-06-12', 4, 1]]);
  });

  it('without `city`, every city has its row; with `tz`, days are that zone’s', async () => {
    const all = (await es.api.get(`/api/v1/admin/reports?${RANGE}`, admin.token)).body.report;
    expect(all.cities.find((x: any) => x.city === CITY_Y)).toEqual({
      city: CITY_Y, workshops: 1, bookings: 1, byStatus: statuses({ cancelled: 1 }), cancellationRate: 1, noShowRate: null,
      leadTimeHours: { median: 1, p90: 1 }, utilisation: { bookedBayMinutes: 0, openBayMinutes: 120, rate: 0 },
    });
    expect(all.cities.find((x: any) => x.city === CITY_X).bookings).toBe(12);
    const london = (await es.api.get(`/api/v1/admin/reports?${RANGE}&city=${encodeURIComponent(CITY_X)}&tz=Europe/London`, admin.token)).body.report;
    expect([london.timezone, london.totals.bookings, london.totals.utilisation]).toEqual(['Europe/London', 11, { bookedBayMinutes: 390, openBayMinutes: 660, rate: 0.5909 }]);
  });

  it('downloads the marketplace CSV', async () => {
    const res = await fetch(`${es.server.url}/api/v1/admin/reports.csv?${RANGE}&city=${encodeURIComponent(CITY_Y)}`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="marketplace-report-2035-06-10-to-2035-06-12.csv"');
    expect((await res.text()).split('\r\n')).toEqual([
      expect.stringMatching(/^section,key,name,bookings,/),
      `total,2035-06-10..2035-06-12,${CITY_Y},1,0,0,0,0,0,1,0,0,1,,1,1,0,120,0`,
      'day,2035-06-10,,0,0,0,0,0,0,0,0,0,,,,,0,0,',
      'day,2035-06-11,,0,0,0,0,0,0,0,0,0,,,,,0,0,',
      'day,2035-06-12,,1,0,0,0,0,0,1,0,0,1,,1,1,0,120,0',
      `workshop,${c.workshop.id},Engine Garage,1,0,0,0,0,0,1,0,0,1,,1,1,0,120,0`,
      `city,${CITY_Y},${CITY_Y},1,0,0,0,0,0,1,0,0,1,,1,1,0,120,0`,
      '',
    ]);
  });
});

describe('who may read reports', () => {
  it("the owner of A never reads B's; customers are refused; admins read any; signed-out callers get 401", async () => {
    const routes = (id: string) => [`/api/v1/workshops/${id}/reports`, `/api/v1/workshops/${id}/reports.csv`];
    for (const path of routes(b.workshop.id)) {
      const r = await es.api.get(path, a.vendor.token);
      expect(r.status, path).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    for (const path of [...routes(a.workshop.id), '/api/v1/admin/reports', '/api/v1/admin/reports.csv']) {
      expect((await es.api.get(path, customer.token)).status, path).toBe(403);
      const anon = await es.api.get(path);
      expect(anon.status, path).toBe(401);
      expect(anon.body.error.code).toBe('UNAUTHENTICATED');
    }
    for (const path of ['/api/v1/admin/reports', '/api/v1/admin/reports.csv']) expect((await es.api.get(path, a.vendor.token)).status, path).toBe(403);
    for (const path of routes(b.workshop.id)) expect((await es.api.get(`${path}?${RANGE}`, admin.token)).status, path).toBe(200);
    expect((await es.api.get(`/api/v1/workshops/${randomUUID()}/reports`, admin.token)).status).toBe(404);
    expect((await es.api.get('/api/v1/workshops/not-an-id/reports', admin.token)).status).toBe(400);
  });

  it('refuses bad dates, inverted or over-long ranges, unknown zones and parameters with 400 VALIDATION_FAILED', async () => {
    const bad = ['from=2035-13-01', 'to=yesterday', 'from=2035-06-12&to=2035-06-11', 'from=2034-06-01&to=2035-06-12', 'from=1999-01-01', 'from=2034-01-01', 'from=2035-07-01', 'extra=1'];
    for (const q of bad) {
      const r = await es.api.get(`/api/v1/workshops/${a.workshop.id}/reports?${q}`, a.vendor.token);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe('VALIDATION_FAILED');
      expect((await es.api.get(`/api/v1/workshops/${a.workshop.id}/reports.csv?${q}`, a.vendor.token)).status, q).toBe(400);
      expect((await es.api.get(`/api/v1/admin/reports?${q}`, admin.token)).status, q).toBe(400);
    }
    for (const q of ['tz=Mars/Olympus', 'city=', `city=${'x'.repeat(81)}`]) expect((await es.api.get(`/api/v1/admin/reports?${q}`, admin.token)).status, q).toBe(400);
    // 366 days, both ends included, is the widest range.
    expect((await es.api.get(`/api/v1/workshops/${a.workshop.id}/reports?from=2034-06-13&to=2035-06-13`, a.vendor.token)).status).toBe(200);
  });
});
