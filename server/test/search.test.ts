// The public search against real Postgres + PostGIS (README "Search"): words, prefixes, ranking,
// distance, cursor pages, facets, and every bad input a 400 with its code. Workshops share the
// run's database with other files, so each query here is fenced by this file's own city.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkshopSearchParams } from '@shared/schemas/search';
import { ALL_WEEK, createAdmin, openWorkshop, READY_CONTACT, register, type Account } from './fixtures';
import { apiClient, expectStatus, startTestServer, useTestServer } from './harness';

const t = useTestServer();
// Letters only, as city names are: a hex suffix failed 7 % of runs (1,372 of 20,000 in Postgres),
// because Postgres's text parser reads `1e97264f` as a number in scientific notation and
// `-22600889` as a signed integer, so the document's lexemes were not the words searched for.
const letters = () => randomUUID().replace(/[^a-f]/g, '').slice(0, 8);
const city = `Search-${letters()}q`;
// A word no other file uses: letters only, so it is one search term.
const word = `zq${letters()}x`;
const LEEDS = { lat: 53.8008, lng: -1.5491 };
const YORK = { lat: 53.9600, lng: -1.0873 };
const MANCHESTER = { lat: 53.4808, lng: -2.2426 };
const DAY = 86_400_000;

let vendor: Account;
let admin: Account;
const ids = {} as Record<'alpha' | 'bravo' | 'charlie', string>;
let oilChangeId: string;
let serverNow: number;

const search = async (query: WorkshopSearchParams) => expectStatus(await t.as().GET('/api/v1/workshops', { params: { query: { city, ...query } as never } }), 200);
const names = async (query: WorkshopSearchParams) => (await search(query)).workshops.map((w) => w.name);
const raw = (qs: string) => t.api.get(`/api/v1/workshops?${qs}`);
const expectError = (res: { status: number; body: any }, code: string, mentions?: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe(code);
  if (mentions) expect(res.body.error.message).toContain(mentions);
};

/** The next date (YYYY-MM-DD, UTC) after `from` that falls on `weekday` (0 = Sunday), at least 2 days ahead. */
function nextWeekday(from: number, weekday: number): string {
  let d = new Date(from + 2 * DAY);
  while (d.getUTCDay() !== weekday) d = new Date(d.getTime() + DAY);
  return d.toISOString().slice(0, 10);
}

beforeAll(async () => {
  vendor = await register(t.api, 'vendor');
  admin = await createAdmin(t.server, t.api);
  const who = { vendorToken: vendor.token, adminToken: admin.token };
  const make = async (name: string, at: { lat: number; lng: number }, services: Array<{ name: string; category: string; price: number }>, extra: { description?: string; hours?: typeof ALL_WEEK } = {}) => {
    const { workshop } = await openWorkshop(t.api, who, { name, city, address: '1 Search Street', timezone: 'Europe/London', bays: 1, autoAccept: false, holdTtlSeconds: 120 },
      { hours: extra.hours, services: [{ durationMinutes: 30, name: '__placeholder', basePriceCents: 100 }] });
    const asVendor = t.as(vendor.token);
    const path = { params: { path: { id: workshop.id } } };
    expectStatus(await asVendor.PATCH('/api/v1/workshops/{id}', { ...path, body: { ...READY_CONTACT, ...at, ...(extra.description ? { description: extra.description } : {}) } }), 200);
    const made: Record<string, string> = {};
    for (const s of services) {
      made[s.name] = expectStatus(await asVendor.POST('/api/v1/workshops/{id}/services', { ...path, body: { name: s.name, category: s.category as 'brakes', durationMinutes: 30, basePriceCents: s.price, currency: 'GBP' } }), 201).service.id;
    }
    // The placeholder service every fixture workshop starts with goes: only the listed ones remain.
    const detail = expectStatus(await asVendor.GET('/api/v1/workshops/{id}', path), 200).workshop;
    const placeholder = detail.services.find((s) => s.name === '__placeholder')!;
    expect((await asVendor.DELETE('/api/v1/workshops/{id}/services/{serviceId}', { params: { path: { id: workshop.id, serviceId: placeholder.id } } })).response.status).toBe(204);
    return { id: workshop.id, made };
  };
  const alpha = await make(`Alpha ${word} Motors`, LEEDS, [{ name: 'Brake pads – front', category: 'brakes', price: 14900 }, { name: 'Oil change', category: 'maintenance', price: 4999 }]);
  const bravo = await make('Bravo Garage', YORK, [{ name: 'MOT test', category: 'inspection', price: 5485 }],
    { description: `Family garage, ask for ${word} the mechanic`, hours: ALL_WEEK.filter((h) => h.weekday >= 1 && h.weekday <= 5) });
  const charlie = await make('Charlie Tyres', MANCHESTER, [{ name: 'Tyre fitting', category: 'tyres', price: 2000 }, { name: 'Brake fluid', category: 'brakes', price: 3000 }]);
  ids.alpha = alpha.id;
  ids.bravo = bravo.id;
  ids.charlie = charlie.id;
  oilChangeId = alpha.made['Oil change']!;
  // Ratings come from reviews; set them directly to have something to filter on.
  await t.server.orm.em.getConnection().execute('update workshop set rating_avg = 4.5, rating_count = 2 where id = ?', [ids.bravo]);
  serverNow = t.server.services.clock.now();
}, 60_000);

describe('full text', () => {
  it('finds workshops by their services, words as typed and stemmed', async () => {
    expect(await names({ q: 'oil' })).toEqual([`Alpha ${word} Motors`]);
    expect(await names({ q: 'Brake pads' })).toEqual([`Alpha ${word} Motors`]);
    expect(await names({ q: 'brakes', sort: 'name' })).toEqual([`Alpha ${word} Motors`, 'Charlie Tyres']);
    expect(await names({ q: 'inspection' })).toEqual(['Bravo Garage']); // a category
    expect(await names({ q: city })).toHaveLength(3); // the city
    expect(await names({ q: 'pads fluid' })).toEqual([]); // every word must match
  });

  it('matches the last word as a prefix while typing', async () => {
    expect(await names({ q: 'b', sort: 'name' })).toEqual([`Alpha ${word} Motors`, 'Bravo Garage', 'Charlie Tyres']);
    expect(await names({ q: 'bra', sort: 'name' })).toEqual([`Alpha ${word} Motors`, 'Bravo Garage', 'Charlie Tyres']);
    expect(await names({ q: 'brak', sort: 'name' })).toEqual([`Alpha ${word} Motors`, 'Charlie Tyres']);
    expect(await names({ q: 'brake pa' })).toEqual([`Alpha ${word} Motors`]);
    expect(await names({ q: 'tyre fit' })).toEqual(['Charlie Tyres']);
  });

  it('ranks a match in the name above one in the description', async () => {
    const res = await search({ q: word });
    expect(res.sort).toBe('relevance');
    expect(res.workshops.map((w) => w.name)).toEqual([`Alpha ${word} Motors`, 'Bravo Garage']);
  });

  it('treats tsquery syntax in the input as plain words', async () => {
    for (const q of ["brake & | ! ( :* '", "brake')) or 1=1 --", 'brake:*&!', '(((', '\\', "'"]) {
      const res = await t.as().GET('/api/v1/workshops', { params: { query: { city, q } } });
      expect(res.response.status, q).toBe(200);
    }
    expect(await names({ q: "brake & | ! ( :* 'pads" })).toEqual([`Alpha ${word} Motors`]);
    expect((await search({ q: 'a b c d e f g h i j' })).ignoredTerms).toEqual(['i', 'j']);
  });

  it('follows service changes: a retired service is no longer found', async () => {
    expect(await names({ q: 'oil' })).toEqual([`Alpha ${word} Motors`]);
    const path = { params: { path: { id: ids.alpha, serviceId: oilChangeId } } };
    expect((await t.as(vendor.token).DELETE('/api/v1/workshops/{id}/services/{serviceId}', path)).response.status).toBe(204);
    expect(await names({ q: 'oil' })).toEqual([]);
    // A renamed one is found by its new name.
    const brakeFluid = expectStatus(await t.as().GET('/api/v1/workshops/{id}', { params: { path: { id: ids.charlie } } }), 200).workshop.services.find((s) => s.name === 'Brake fluid')!;
    expectStatus(await t.as(vendor.token).PATCH('/api/v1/workshops/{id}/services/{serviceId}', { params: { path: { id: ids.charlie, serviceId: brakeFluid.id } }, body: { name: 'Clutch repair' } }), 200);
    expect(await names({ q: 'clutch' })).toEqual(['Charlie Tyres']);
    expect(await names({ q: 'brak', sort: 'name' })).toEqual([`Alpha ${word} Motors`, 'Charlie Tyres']); // category brakes still
    expect(await names({ q: 'fluid' })).toEqual([]);
  });
});

describe('near a point', () => {
  it('sorts by distance and reports it', async () => {
    const res = await search({ lat: String(LEEDS.lat), lng: String(LEEDS.lng) });
    expect(res.sort).toBe('distance');
    expect(res.near).toEqual({ ...LEEDS, radiusKm: 50 });
    expect(res.workshops.map((w) => w.id)).toEqual([ids.alpha, ids.bravo]); // Manchester is ~58 km away: outside 50 km
    expect(res.workshops[0]!.distanceKm).toBe(0);
    expect(res.workshops[1]!.distanceKm).toBeGreaterThan(30);
    expect(res.workshops[1]!.distanceKm).toBeLessThan(40);
    const wide = await search({ lat: String(LEEDS.lat), lng: String(LEEDS.lng), radiusKm: '100' });
    expect(wide.workshops.map((w) => w.id)).toEqual([ids.alpha, ids.bravo, ids.charlie]);
    expect(wide.workshops[2]!.distanceKm).toBeGreaterThan(50);
    const fromYork = await search({ lat: String(YORK.lat), lng: String(YORK.lng), radiusKm: '200' });
    expect(fromYork.workshops.map((w) => w.id)).toEqual([ids.bravo, ids.alpha, ids.charlie]);
    const narrow = await search({ lat: String(LEEDS.lat), lng: String(LEEDS.lng), radiusKm: '5' });
    expect(narrow.workshops.map((w) => w.id)).toEqual([ids.alpha]);
  });

  it('combines words with a point: nearest first by default', async () => {
    const res = await search({ q: 'brak', lat: String(MANCHESTER.lat), lng: String(MANCHESTER.lng), radiusKm: '100' });
    expect(res.sort).toBe('distance');
    expect(res.workshops.map((w) => w.id)).toEqual([ids.charlie, ids.alpha]);
    expect(res.workshops[0]!.distanceKm).toBe(0);
  });
});

describe('cursor pages', () => {
  it('walks every sort a page at a time with no repeats or gaps', async () => {
    const point = { lat: String(LEEDS.lat), lng: String(LEEDS.lng), radiusKm: '100' };
    for (const query of [{ sort: 'name' }, { sort: 'rating' }, { sort: 'soonest' }, { ...point }, { q: 'b', sort: 'relevance' }] as WorkshopSearchParams[]) {
      const all = (await search({ ...query, limit: '50' })).workshops.map((w) => w.id);
      expect(all, JSON.stringify(query)).toHaveLength(3);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const res = await search({ ...query, limit: '1', ...(cursor ? { cursor } : {}) });
        expect(res.total).toBe(3);
        expect(res.limit).toBe(1);
        seen.push(...res.workshops.map((w) => w.id));
        if (!res.nextCursor) break;
        cursor = res.nextCursor;
      }
      expect(seen, JSON.stringify(query)).toEqual(all);
    }
  });

  it('refuses a cursor from another search, or not from this server', async () => {
    const first = await search({ sort: 'name', limit: '1' });
    expect(first.nextCursor).toBeTruthy();
    expectError(await raw(`city=${city}&sort=rating&limit=1&cursor=${first.nextCursor}`), 'INVALID_CURSOR');
    expectError(await raw(`city=${city}&sort=name&q=garage&limit=1&cursor=${first.nextCursor}`), 'INVALID_CURSOR', 'other parameters');
    expectError(await raw(`city=${city}&sort=name&cursor=bm90LWEtY3Vyc29y`), 'INVALID_CURSOR');
    expectError(await raw(`city=${city}&sort=name&cursor=${Buffer.from(JSON.stringify({ v: 1, s: 'name', f: 'x', k: [1], id: 'nope' })).toString('base64url')}`), 'INVALID_CURSOR');
    expectError(await raw(`city=${city}&cursor=${encodeURIComponent('a.b/c')}`), 'VALIDATION_FAILED', 'cursor');
    // The same cursor with the same parameters works (and another page size is fine).
    const next = await raw(`city=${city}&sort=name&limit=2&cursor=${first.nextCursor}`);
    expect(next.status).toBe(200);
  });

  it('says how many match and never cuts silently', async () => {
    const res = await search({ limit: '2', sort: 'name' });
    expect(res.total).toBe(3);
    expect(res.workshops).toHaveLength(2);
    expect(res.nextCursor).not.toBeNull();
    expectError(await raw(`city=${city}&limit=51`), 'VALIDATION_FAILED', 'limit is at most 50');
  });
});

describe('facets', () => {
  it('counts categories (without the category filter), ratings and the price range', async () => {
    const all = await search({});
    expect(all.facets.categories).toEqual(expect.arrayContaining([
      { value: 'brakes', count: 2 }, { value: 'inspection', count: 1 }, { value: 'tyres', count: 1 },
    ]));
    expect(all.facets.ratings.find((r) => r.min === 4)).toEqual({ min: 4, count: 1 });
    expect(all.facets.price).toMatchObject({ maxCents: 14900 });
    const brakes = await search({ category: 'brakes', sort: 'name' });
    expect(brakes.workshops.map((w) => w.id)).toEqual([ids.alpha, ids.charlie]);
    expect(brakes.facets.categories.find((c) => c.value === 'inspection')).toEqual({ value: 'inspection', count: 1 });
    expect(brakes.facets.price).toEqual({ minCents: 3000, maxCents: 14900 });
  });

  it('follow service changes: a new price moves the price range, a retired category leaves the counts', async () => {
    const tyreFitting = expectStatus(await t.as().GET('/api/v1/workshops/{id}', { params: { path: { id: ids.charlie } } }), 200).workshop.services.find((s) => s.name === 'Tyre fitting')!;
    const path = { params: { path: { id: ids.charlie, serviceId: tyreFitting.id } } };
    expect((await search({ category: 'tyres' })).facets.price).toEqual({ minCents: 2000, maxCents: 2000 });
    expectStatus(await t.as(vendor.token).PATCH('/api/v1/workshops/{id}/services/{serviceId}', { ...path, body: { basePriceCents: 2500 } }), 200);
    expect((await search({ category: 'tyres' })).facets.price).toEqual({ minCents: 2500, maxCents: 2500 });
    expect((await search({})).facets.price).toEqual({ minCents: 2500, maxCents: 14900 });
    expect((await search({ category: 'brakes' })).facets.price).toEqual({ minCents: 3000, maxCents: 14900 });
    expect((await t.as(vendor.token).DELETE('/api/v1/workshops/{id}/services/{serviceId}', path)).response.status).toBe(204);
    const after = await search({});
    expect(after.facets.categories.find((c) => c.value === 'tyres')).toBeUndefined();
    expect(after.facets.categories).toEqual(expect.arrayContaining([{ value: 'brakes', count: 2 }]));
    expect((await search({ category: 'tyres' })).workshops).toEqual([]);
  });

  it('filters by price, rating and opening date', async () => {
    expect((await search({ minPrice: '10000' })).workshops.map((w) => w.id)).toEqual([ids.alpha]);
    expect((await search({ category: 'brakes', maxPrice: '5000' })).workshops.map((w) => w.id)).toEqual([ids.charlie]);
    const rated = await search({ minRating: '4' });
    expect(rated.workshops.map((w) => w.id)).toEqual([ids.bravo]);
    expect(rated.facets.ratings.find((r) => r.min === 4)!.count).toBe(1);
    // Bravo opens Monday to Friday only; Charlie closes on that Saturday.
    const saturday = nextWeekday(serverNow, 6);
    expectStatus(await t.as(vendor.token).POST('/api/v1/workshops/{id}/closures', { params: { path: { id: ids.charlie } }, body: { date: saturday } }), 201);
    expect((await search({ openOn: saturday })).workshops.map((w) => w.id)).toEqual([ids.alpha]);
    expect((await search({ openOn: nextWeekday(serverNow, 3), sort: 'name' })).workshops).toHaveLength(3);
  });

  it('filters by a free slot in a time window, with live free counts', async () => {
    const slotsOf = async (id: string) => expectStatus(await t.as().GET('/api/v1/workshops/{id}/availability', { params: { path: { id } } }), 200).slots;
    const alphaSlots = await slotsOf(ids.alpha);
    // The first slot followed by another on the same day (at the end of a day the next one is the
    // next morning, whatever the time of day the test runs at): an hour holding exactly those two.
    const first = alphaSlots.findIndex((s, i) => alphaSlots[i + 1]?.startsAt === s.endsAt);
    expect(first).toBeGreaterThanOrEqual(0);
    const from = alphaSlots[first]!.startsAt;
    const to = alphaSlots[first + 1]!.endsAt;
    const before = await search({ freeFrom: from, freeTo: to, sort: 'name' });
    const alphaBefore = before.workshops.find((w) => w.id === ids.alpha)!;
    expect(alphaBefore.freeSlots).toBe(2);
    await t.server.orm.em.getConnection().execute('update slot set booked = capacity where workshop_id = ? and starts_at >= ? and starts_at < ?', [ids.alpha, from, to]);
    const after = await search({ freeFrom: from, freeTo: to, sort: 'name' });
    expect(after.workshops.map((w) => w.id)).not.toContain(ids.alpha);
    expect(after.total).toBe(before.total - 1);
    // Far beyond the slot horizon nothing is free.
    const far = new Date(serverNow + 60 * DAY).toISOString();
    expect((await search({ freeFrom: far, freeTo: new Date(serverNow + 61 * DAY).toISOString() })).total).toBe(0);
    expect((await search({})).workshops.every((w) => w.freeSlots === null)).toBe(true);
  });
});

describe('bad input', () => {
  it.each([
    ['lat=91&lng=0', 'lat must be between -90 and 90'],
    ['lat=0&lng=-181', 'lng must be between -180 and 180'],
    ['lat=53.8', 'Give both lat and lng'],
    ['lng=-1.5', 'Give both lat and lng'],
    ['lat=abc&lng=1', 'lat must be a decimal number'],
    ['lat=&lng=1', 'lat must be a decimal number'],
    ['lat=1e2&lng=1', 'lat must be a decimal number'],
    ['lat=53&lng=-1&radiusKm=0', 'radiusKm must be above 0'],
    ['lat=53&lng=-1&radiusKm=501', 'radiusKm is at most 500'],
    ['lat=53&lng=-1&radiusKm=-5', 'radiusKm'],
    ['radiusKm=10', 'radiusKm needs lat and lng'],
    ['sort=distance', 'sort=distance needs lat and lng'],
    ['sort=relevance', 'sort=relevance needs q'],
    ['sort=relevance&q=%21%21', 'sort=relevance needs words in q'],
    ['sort=random', 'sort'],
    ['limit=0', 'limit is at least 1'],
    ['limit=2.5', 'limit must be a whole number'],
    ['minPrice=-1', 'minPrice must be a whole number'],
    ['minPrice=500&maxPrice=100', 'maxPrice must not be below minPrice'],
    ['minRating=6', 'minRating is 0 to 5'],
    ['category=teleportation', 'category'],
    ['openOn=2027-02-30', 'openOn'],
    ['openOn=tomorrow', 'openOn'],
    ['freeFrom=2027-01-01T00:00:00Z', 'Give both freeFrom and freeTo'],
    ['freeTo=2027-01-01T00:00:00Z', 'Give both freeFrom and freeTo'],
    ['freeFrom=2027-01-02T00:00:00Z&freeTo=2027-01-01T00:00:00Z', 'freeTo must be after freeFrom'],
    ['freeFrom=2027-01-01T00:00:00Z&freeTo=2027-01-01T00:00:00Z', 'freeTo must be after freeFrom'],
    ['freeFrom=2027-01-01T00:00:00Z&freeTo=2027-03-01T00:00:00Z', 'at most 35 days'],
    ['freeFrom=yesterday&freeTo=2027-01-01T00:00:00Z', 'freeFrom'],
    ['unknown=1', 'unknown'],
  ])('GET /api/workshops?%s → 400 VALIDATION_FAILED', async (qs, mentions) => {
    const res = await raw(qs);
    expectError(res, 'VALIDATION_FAILED');
    expect(JSON.stringify(res.body.error)).toContain(mentions);
  });
});

describe('places (the gazetteer)', () => {
  it('resolves a place name to a point, biggest first, accents and case ignored', async () => {
    const { places } = expectStatus(await t.as().GET('/api/v1/places', { params: { query: { q: 'leed' } } }), 200);
    expect(places[0]).toMatchObject({ name: 'Leeds', country: 'United Kingdom', timezone: 'Europe/London' });
    expect(places[0]!.lat).toBeCloseTo(53.83, 1);
    const zurich = expectStatus(await t.as().GET('/api/v1/places', { params: { query: { q: 'zurich' } } }), 200).places;
    expect(zurich[0]!.name).toBe('Zürich');
    expect(expectStatus(await t.as().GET('/api/v1/places', { params: { query: { q: 'qqqqqqq' } } }), 200).places).toEqual([]);
    expectError(await t.api.get('/api/v1/places'), 'VALIDATION_FAILED');
    expectError(await t.api.get('/api/v1/places?q=leeds&limit=21'), 'VALIDATION_FAILED');
  });
});

describe('rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After past RATE_LIMIT_SEARCH_PER_MIN per address', async () => {
    const limited = await startTestServer({ RATE_LIMIT_SEARCH_PER_MIN: '2' });
    try {
      const api = apiClient(limited.url);
      expect((await api.get('/api/v1/workshops?q=brake')).status).toBe(200);
      expect((await api.get('/api/v1/workshops?limit=0')).status).toBe(400);
      const third = await api.get('/api/v1/workshops?q=brake');
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('RATE_LIMITED');
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      // Other routes are not counted against it.
      expect((await api.get('/health')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
