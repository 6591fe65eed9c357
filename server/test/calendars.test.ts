import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../runtime';
import { confirm, createAdmin, filePrefix, hold, register, slotAhead, verifiedWorkshop, type Account } from './fixtures';
import { apiClient, expectStatus, startTestServer, typedClient, type ApiClient } from './harness';

/*
 * Calendars: a booking as an `.ics` file for whoever may read the booking, and a private feed per
 * customer or workshop that a calendar app reads without signing in. The feed's secret address is
 * its credential: rotating or revoking it, or suspending its owner, stops it at once.
 */

let server: RunningServer;
let api: ApiClient;
let shop: Awaited<ReturnType<typeof verifiedWorkshop>>;
let customer: Account;
let booking: { id: string };
let startsAt: string;

beforeAll(async () => {
  server = await startTestServer({ REDIS_PREFIX: filePrefix('calendars') });
  api = apiClient(server.url);
  shop = await verifiedWorkshop(server, api);
  customer = await register(api, 'customer', 'Cal Endar');
  const slot = await slotAhead(api, shop.workshop.id);
  startsAt = slot.startsAt;
  booking = await confirm(api, customer.token, await hold(api, customer.token, shop.workshop.id, shop.service.id, slot.id));
});
afterAll(async () => {
  await server?.close();
});

const as = (a: Account) => typedClient(server.url, a.token);
const get = (path: string, token?: string) => fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The VEVENTs of an iCalendar text, each as its properties (lines unfolded, parameters dropped). */
function events(ics: string): Array<Record<string, string>> {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const out: Array<Record<string, string>> = [];
  let current: Record<string, string> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      out.push(current!);
      current = null;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon).split(';')[0]!] = line.slice(colon + 1).replace(/\\n/g, '\n').replace(/\\([,;\\])/g, '$1');
    }
  }
  return out;
}
/** iCalendar's UTC form of an instant: 20261203T090000Z. */
const icsUtc = (iso: string) => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

describe('a booking as a calendar file', () => {
  it('gives its customer the event, tentative until the workshop accepts, then confirmed with a higher sequence', async () => {
    const res = await get(`/api/v1/bookings/${booking.id}/calendar.ics`, customer.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.ics"$/);
    const text = await res.text();
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    const [event, ...more] = events(text);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      UID: `booking-${booking.id}@holdfast`,
      DTSTART: icsUtc(startsAt),
      SUMMARY: `${shop.service.name} at ${shop.workshop.name}`,
      STATUS: 'TENTATIVE',
      URL: `${server.url}/bookings/${booking.id}`,
    });
    expect(event!.LOCATION).toContain(shop.workshop.city);
    expect(event!.DESCRIPTION).toContain('AB12 CDE');
    const before = Number(event!.SEQUENCE ?? 0);

    expectStatus(await as(shop.vendor).POST('/api/v1/bookings/{id}/{action}', { params: { path: { id: booking.id, action: 'accept' } } }), 200);
    const [accepted] = events(await (await get(`/api/v1/bookings/${booking.id}/calendar.ics`, customer.token)).text());
    expect(accepted).toMatchObject({ UID: event!.UID, STATUS: 'CONFIRMED' });
    expect(Number(accepted!.SEQUENCE)).toBeGreaterThan(before);
  });

  it("shows the workshop its customer's name, and keeps the booking from everyone else", async () => {
    const [forShop] = events(await (await get(`/api/v1/bookings/${booking.id}/calendar.ics`, shop.vendor.token)).text());
    expect(forShop!.SUMMARY).toBe(`${shop.service.name}: Cal Endar`);

    const stranger = await register(api, 'customer');
    const otherShop = await verifiedWorkshop(server, api);
    for (const who of [stranger, otherShop.vendor]) expect((await get(`/api/v1/bookings/${booking.id}/calendar.ics`, who.token)).status).toBe(404);
    expect((await get(`/api/v1/bookings/${booking.id}/calendar.ics`)).status).toBe(401);
    const bad = await get('/api/v1/bookings/not-an-id/calendar.ics', customer.token);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('VALIDATION_FAILED');
  });
});

describe('a private calendar feed', () => {
  it('is made, read without signing in, rotated and revoked', async () => {
    expect(expectStatus(await as(customer).GET('/api/v1/me/calendar-feed'), 200)).toEqual({ active: false, createdAt: null });
    const made = expectStatus(await as(customer).POST('/api/v1/me/calendar-feed'), 201);
    expect(made.path).toMatch(/^\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    expect(expectStatus(await as(customer).GET('/api/v1/me/calendar-feed'), 200)).toEqual({ active: true, createdAt: made.createdAt });

    const feed = await get(made.path);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toMatch(/^text\/calendar/);
    const text = await feed.text();
    expect(text).toContain('X-WR-CALNAME:Holdfast: my bookings');
    expect(events(text).map((e) => e.UID)).toEqual([`booking-${booking.id}@holdfast`]);

    // The token is stored only as a hash: the database never holds a working address.
    const token = made.path.split('/').pop()!.replace('.ics', '');
    const rows = await server.orm.em.getConnection().execute<Array<{ token_hash: string }>>('select token_hash from calendar_feed where user_id = ?', [customer.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toContain(token);

    const rotated = expectStatus(await as(customer).POST('/api/v1/me/calendar-feed'), 201);
    expect(rotated.path).not.toBe(made.path);
    expect((await get(made.path)).status).toBe(404);
    expect((await get(rotated.path)).status).toBe(200);

    expect((await as(customer).DELETE('/api/v1/me/calendar-feed')).response.status).toBe(204);
    expect((await get(rotated.path)).status).toBe(404);
    expect(expectStatus(await as(customer).GET('/api/v1/me/calendar-feed'), 200).active).toBe(false);
    expect((await as(customer).DELETE('/api/v1/me/calendar-feed')).response.status).toBe(404);
  });

  it("gives a workshop its bookings with customers' names, and stops when its owner is suspended", async () => {
    const made = expectStatus(await as(shop.vendor).POST('/api/v1/me/calendar-feed'), 201);
    const text = await (await get(made.path)).text();
    expect(text).toContain('X-WR-CALNAME:Holdfast: workshop bookings');
    expect(events(text).find((e) => e.UID === `booking-${booking.id}@holdfast`)?.SUMMARY).toBe(`${shop.service.name}: Cal Endar`);

    const admin = await createAdmin(server, api);
    expectStatus(await as(admin).POST('/api/v1/admin/users/{id}/suspend', { params: { path: { id: shop.vendor.id } } }), 200);
    expect((await get(made.path)).status).toBe(404);
  });

  it('answers bad and unknown addresses clearly, and is not for admins', async () => {
    const malformed = await get('/api/v1/calendar/short.ics');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('VALIDATION_FAILED');
    const unknown = await get(`/api/v1/calendar/${'A'.repeat(43)}.ics`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('NOT_FOUND');

    const admin = await createAdmin(server, api);
    expect((await as(admin).POST('/api/v1/me/calendar-feed')).response.status).toBe(403);
    expect((await get('/api/v1/me/calendar-feed')).status).toBe(401);
  });
});
