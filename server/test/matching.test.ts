// The matching engine against real Postgres + PostGIS and Redis (README "Matching"): ranked options
// with per-factor explanations, answered from the LIVE counts (a hold moves an option before
// Postgres knows of it), the garage vehicle and the budget narrowing the options, the operators'
// weights (admins only, validated, audited), and every bad input a 4xx with its code. Workshops
// share the run's database with other files: every need here carries this file's own word and
// sits around Norwich, where no other file puts workshops.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_WEIGHTS, type MatchNeedInput, type MatchResult } from '@shared/schemas/match';
import { MATCH_SETTINGS_ID } from '@shared/schemas/audit';
import { createAdmin, openWorkshop, register, type Account } from './fixtures';
import { apiClient, expectStatus, startTestServer, useTestServer } from './harness';

const t = useTestServer();
const word = `zm${randomUUID().replace(/[^a-f]/g, '').slice(0, 8)}x`;
const NORWICH = { lat: 52.6309, lng: 1.2974 };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let vendor: Account;
let admin: Account;
let customer: Account;
let other: Account;
const ws = {} as Record<'near' | 'far' | 'out', string>;
const sv = {} as Record<'nearPads' | 'nearOverhaul' | 'farPads' | 'outPads', string>;
/** A two-hour window on a day to come, from a slot boundary at 10:00 London time. */
let window: { from: string; to: string };
let slots10: string[]; // the near workshop's slots at 10:00, 10:30, 11:00, 11:30 of that day

const need = (over: Partial<MatchNeedInput> = {}): MatchNeedInput => ({ q: `brake ${word}`, near: { ...NORWICH, radiusKm: 20 }, window, ...over });
const match = async (body: MatchNeedInput, token?: string): Promise<MatchResult> => expectStatus(await t.as(token).POST('/api/v1/match', { body }), 200);
const keyOf = (r: MatchResult) => r.options.map((o) => `${o.workshop.id}/${o.service.id}`);
const optionOf = (r: MatchResult, serviceId: string) => r.options.find((o) => o.service.id === serviceId);

beforeAll(async () => {
  [vendor, admin, customer, other] = await Promise.all([register(t.api, 'vendor'), createAdmin(t.server, t.api), register(t.api, 'customer'), register(t.api, 'customer')]);
  const who = { vendorToken: vendor.token, adminToken: admin.token };
  const asVendor = t.as(vendor.token);
  const make = async (name: string, at: { lat: number; lng: number }, services: Array<{ key: keyof typeof sv; name: string; price: number; minutes: number; fuels?: Array<'petrol' | 'diesel'>; tiers?: boolean }>) => {
    const { workshop } = await openWorkshop(t.api, who, { name, city: 'Norwich', address: '1 Match Street', timezone: 'Europe/London', bays: 1, autoAccept: false, holdTtlSeconds: 300 });
    const path = { params: { path: { id: workshop.id } } };
    expectStatus(await asVendor.PATCH('/api/v1/workshops/{id}', { ...path, body: at }), 200);
    for (const s of services) {
      sv[s.key] = expectStatus(await asVendor.POST('/api/v1/workshops/{id}/services', {
        ...path,
        body: {
          name: `Brake ${s.name} ${word}`, category: 'brakes', durationMinutes: s.minutes, basePriceCents: s.price, currency: 'GBP',
          ...(s.fuels ? { vehicleConstraints: { fuels: s.fuels } } : {}),
          ...(s.tiers ? { options: { skillTiers: [{ id: 'master', label: 'Master technician', multiplier: 1.5 }], urgency: [] } } : {}),
        },
      }), 201).service.id;
    }
    return workshop.id;
  };
  ws.near = await make('Near Brakes', { lat: 52.6320, lng: 1.2990 }, [
    { key: 'nearPads', name: 'pads', price: 12_000, minutes: 30, tiers: true },
    { key: 'nearOverhaul', name: 'overhaul', price: 30_000, minutes: 90, fuels: ['petrol', 'diesel'] },
  ]);
  ws.far = await make('Far Brakes', { lat: 52.7000, lng: 1.4000 }, [{ key: 'farPads', name: 'pads', price: 8_000, minutes: 30 }]);
  ws.out = await make('Out-of-town Brakes', { lat: 53.0000, lng: 1.3000 }, [{ key: 'outPads', name: 'pads', price: 5_000, minutes: 30 }]);

  // A 10:00 London slot at least a day ahead of the server's clock (hours are 08–18 every day).
  const now = t.server.services.clock.now();
  const snap = expectStatus(await t.as().GET('/api/v1/workshops/{id}/availability', { params: { path: { id: ws.near }, query: { from: new Date(now + DAY).toISOString(), to: new Date(now + 3 * DAY).toISOString() } } }), 200);
  const london = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  const i = snap.slots.findIndex((s) => london(s.startsAt) === '10:00');
  expect(i).toBeGreaterThanOrEqual(0);
  slots10 = snap.slots.slice(i, i + 4).map((s) => s.id);
  const from = Date.parse(snap.slots[i]!.startsAt);
  window = { from: new Date(from).toISOString(), to: new Date(from + 2 * HOUR).toISOString() };
}, 90_000);

afterAll(async () => {
  // Leave the platform's weights as every other file expects them.
  if (admin) await t.as(admin.token).PUT('/api/v1/admin/match-weights', { body: { weights: DEFAULT_MATCH_WEIGHTS } });
});

describe('ranked options', () => {
  it('ranks the options within the radius, each with its first free run, price, distance, score and explanation', async () => {
    const r = await match(need());
    expect(new Set(r.options.map((o) => o.workshop.id))).toEqual(new Set([ws.near, ws.far])); // the out-of-town one is 41 km away
    expect(new Set(r.options.map((o) => o.service.id))).toEqual(new Set([sv.nearPads, sv.nearOverhaul, sv.farPads]));
    expect(r.options.map((o) => o.rank)).toEqual([1, 2, 3]);
    for (let i = 1; i < r.options.length; i++) expect(r.options[i - 1]!.score).toBeGreaterThanOrEqual(r.options[i]!.score);
    const pads = optionOf(r, sv.nearPads)!;
    expect(pads).toMatchObject({
      workshop: { id: ws.near, name: 'Near Brakes', city: 'Norwich', timezone: 'Europe/London' },
      service: { id: sv.nearPads, category: 'brakes', durationMinutes: 30 },
      run: { slotIds: [slots10[0]], startsAt: window.from },
      price: { cents: 12_000, currency: 'GBP' },
      options: {},
      rating: { avg: 0, count: 0 },
      completionRate: null,
      responseMinutes: null,
    });
    expect(pads.distanceKm).toBeLessThan(0.3);
    expect(optionOf(r, sv.nearOverhaul)!.run.slotIds).toEqual(slots10.slice(0, 3)); // 90 minutes: three 30-minute slots
    expect(optionOf(r, sv.farPads)!.distanceKm).toBeGreaterThan(5);
    for (const o of r.options) {
      expect(o.factors.map((f) => f.factor)).toEqual(['distance', 'price', 'rating', 'completion', 'response', 'soonness']);
      expect(o.factors.reduce((s, f) => s + f.points, 0)).toBeCloseTo(o.score, 0);
      for (const f of o.factors) expect(f.detail.length).toBeGreaterThan(0);
    }
    expect(optionOf(r, sv.farPads)!.factors.find((f) => f.factor === 'price')!.detail).toBe('£80.00: the lowest price here');
    expect(r.weights).toEqual(DEFAULT_MATCH_WEIGHTS);
    expect(r.window).toEqual({ from: window.from, to: window.to });
    // Deterministic: the same need, the same order.
    expect(keyOf(await match(need()))).toEqual(keyOf(r));
  });

  it('finds by category without words, and honours limit', async () => {
    const r = await match({ category: 'brakes', near: { ...NORWICH, radiusKm: 20 }, window, limit: 2 });
    expect(r.options).toHaveLength(2);
    expect(r.considered).toBeGreaterThanOrEqual(3);
  });

  it('applies the skill tier where a service offers it, and the budget to the price with options', async () => {
    const r = await match(need({ options: { skillTier: 'master' } }));
    expect(optionOf(r, sv.nearPads)).toMatchObject({ price: { cents: 18_000 }, options: { skillTier: 'master' } });
    expect(optionOf(r, sv.farPads)).toMatchObject({ price: { cents: 8_000 }, options: {} });
    const cheap = await match(need({ budgetCents: 12_000 }));
    expect(new Set(cheap.options.map((o) => o.service.id))).toEqual(new Set([sv.nearPads, sv.farPads]));
    const cheaper = await match(need({ budgetCents: 12_000, options: { skillTier: 'master' } }));
    expect(cheaper.options.map((o) => o.service.id)).toEqual([sv.farPads]);
  });
});

describe('live availability', () => {
  it('answers from the live counts: a hold moves the option to the next free run before Postgres knows of it', async () => {
    const held = expectStatus(await t.as(other.token).POST('/api/v1/holds', { body: { workshopId: ws.near, serviceId: sv.nearPads, slotId: slots10[0]! } }), 201).hold;
    try {
      const r = await match(need());
      expect(optionOf(r, sv.nearPads)!.run.slotIds).toEqual([slots10[1]]);
      expect(optionOf(r, sv.nearOverhaul)!.run.slotIds).toEqual(slots10.slice(1, 4));
      // Postgres still counts the slot as free: the answer came from Redis.
      const [row] = await t.server.orm.em.getConnection().execute('select booked, capacity from slot where id = ?', [slots10[0]]);
      expect(row).toMatchObject({ booked: 0, capacity: 1 });
    } finally {
      expect((await t.as(other.token).DELETE('/api/v1/holds/{id}', { params: { path: { id: held.id } } })).response.status).toBe(204);
    }
    expect(optionOf(await match(need()), sv.nearPads)!.run.slotIds).toEqual([slots10[0]]);
  });

  it('leaves a workshop out once nothing in the window fits, and the best option can be held as answered', async () => {
    // Hold 10:30 and 11:30: the 90-minute overhaul no longer fits between 10:00 and 12:00.
    const holds = [];
    for (const slotId of [slots10[1]!, slots10[3]!]) holds.push(expectStatus(await t.as(other.token).POST('/api/v1/holds', { body: { workshopId: ws.near, serviceId: sv.nearPads, slotId } }), 201).hold);
    try {
      const r = await match(need());
      expect(optionOf(r, sv.nearOverhaul)).toBeUndefined();
      const best = r.options[0]!;
      const hold = expectStatus(await t.as(customer.token).POST('/api/v1/holds', { body: { workshopId: best.workshop.id, serviceId: best.service.id, slotId: best.run.slotIds[0]!, options: best.options } }), 201).hold;
      expect(hold.slotIds).toEqual(best.run.slotIds);
      await t.as(customer.token).DELETE('/api/v1/holds/{id}', { params: { path: { id: hold.id } } });
    } finally {
      for (const h of holds) await t.as(other.token).DELETE('/api/v1/holds/{id}', { params: { path: { id: h.id } } });
    }
  });
});

describe('the garage vehicle', () => {
  it('leaves out the services that do not take it; only its owner may use it', async () => {
    const electric = expectStatus(await t.as(customer.token).POST('/api/v1/me/vehicles', { body: { registration: 'EV21 ZAP', make: 'Nissan', fuel: 'electric' } }), 201);
    const r = await match(need({ vehicleId: electric.id }), customer.token);
    expect(new Set(r.options.map((o) => o.service.id))).toEqual(new Set([sv.nearPads, sv.farPads]));
    const petrol = expectStatus(await t.as(customer.token).POST('/api/v1/me/vehicles', { body: { registration: 'PT21 GAS', fuel: 'petrol' } }), 201);
    expect(optionOf(await match(need({ vehicleId: petrol.id }), customer.token), sv.nearOverhaul)).toBeDefined();

    const res = async (token: string | undefined, vehicleId: string) => t.api.post('/api/v1/match', need({ vehicleId }), token);
    const other404 = await res(other.token, electric.id);
    expect([other404.status, other404.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const unknown = await res(customer.token, randomUUID());
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    const anonymous = await res(undefined, electric.id);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const asVendor = await res(vendor.token, electric.id);
    expect([asVendor.status, asVendor.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });
});

describe('bad input', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  const cases: Array<[string, () => unknown, number, string]> = [
    ['no body at all', () => undefined, 400, 'MALFORMED_JSON'],
    ['neither q nor category', () => ({ near: { ...NORWICH, radiusKm: 20 }, window }), 400, 'VALIDATION_FAILED'],
    ['a blank q', () => need({ q: '   ' }), 400, 'VALIDATION_FAILED'],
    ['q without letters or digits', () => need({ q: '&|!:*' }), 400, 'VALIDATION_FAILED'],
    ['an unknown category', () => need({ category: 'spaceships' as never }), 400, 'VALIDATION_FAILED'],
    ['no point', () => ({ q: word, window }), 400, 'VALIDATION_FAILED'],
    ['a radius of 0', () => need({ near: { ...NORWICH, radiusKm: 0 } }), 400, 'VALIDATION_FAILED'],
    ['a negative radius', () => need({ near: { ...NORWICH, radiusKm: -5 } }), 400, 'VALIDATION_FAILED'],
    ['a radius over 200 km', () => need({ near: { ...NORWICH, radiusKm: 201 } }), 400, 'VALIDATION_FAILED'],
    ['a radius as text', () => need({ near: { ...NORWICH, radiusKm: '20' as never } }), 400, 'VALIDATION_FAILED'],
    ['a latitude over 90', () => need({ near: { lat: 91, lng: 1, radiusKm: 20 } }), 400, 'VALIDATION_FAILED'],
    ['a longitude over 180', () => need({ near: { lat: 52, lng: 181, radiusKm: 20 } }), 400, 'VALIDATION_FAILED'],
    ['no window', () => ({ q: word, near: { ...NORWICH, radiusKm: 20 } }), 400, 'VALIDATION_FAILED'],
    ['a window instant that is not one', () => need({ window: { from: 'tomorrow', to: window.to } }), 400, 'VALIDATION_FAILED'],
    ['a window in year 1999', () => need({ window: { from: '1999-01-01T00:00:00Z', to: '1999-01-02T00:00:00Z' } }), 400, 'VALIDATION_FAILED'],
    ['a window that ends before it starts', () => need({ window: { from: window.to, to: window.from } }), 400, 'MATCH_WINDOW_INVALID'],
    ['a window that ends as it starts', () => need({ window: { from: window.from, to: window.from } }), 400, 'MATCH_WINDOW_INVALID'],
    ['a window over 28 days', () => need({ window: { from: window.from, to: iso(Date.parse(window.from) + 29 * DAY) } }), 400, 'MATCH_WINDOW_INVALID'],
    ['a window already over', () => need({ window: { from: iso(Date.parse(window.from) - 30 * DAY), to: iso(Date.parse(window.from) - 29 * DAY) } }), 400, 'MATCH_WINDOW_INVALID'],
    ['a negative budget', () => need({ budgetCents: -1 }), 400, 'VALIDATION_FAILED'],
    ['a fractional budget', () => need({ budgetCents: 10.5 }), 400, 'VALIDATION_FAILED'],
    ['a limit of 0', () => need({ limit: 0 }), 400, 'VALIDATION_FAILED'],
    ['a limit over 20', () => need({ limit: 21 }), 400, 'VALIDATION_FAILED'],
    ['a malformed option id', () => need({ options: { skillTier: 'Not An Id' } }), 400, 'VALIDATION_FAILED'],
    ['an unknown field', () => ({ ...need(), sort: 'price' }), 400, 'VALIDATION_FAILED'],
    ['a vehicleId that is not a uuid', () => need({ vehicleId: 'my-car' }), 400, 'VALIDATION_FAILED'],
  ];
  it.each(cases.map(([what, body, status, code]) => [what, status, code, body] as const))('%s → %i %s', async (_what, status, code, body) => {
    const b = body();
    const res = b === undefined ? await t.api.call('POST', '/api/v1/match', { raw: '' }) : await t.api.post('/api/v1/match', b);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    const res = await t.api.call('POST', '/api/v1/match', { raw: '{"q": "brake",' });
    expect([res.status, res.body.error.code]).toEqual([400, 'MALFORMED_JSON']);
  });
});

describe('weights', () => {
  const put = (body: unknown, token?: string) => t.api.put('/api/v1/admin/match-weights', body, token);

  it('admins read and set them (validated, audited), and the ranking follows', async () => {
    const read = await t.api.get('/api/v1/admin/match-weights', admin.token);
    expect(read.status).toBe(200);
    expect(Object.keys(read.body.weights).sort()).toEqual(['completion', 'distance', 'price', 'rating', 'response', 'soonness']);

    for (const [token, status] of [[undefined, 401], [customer.token, 403], [vendor.token, 403]] as const) {
      expect((await put({ weights: DEFAULT_MATCH_WEIGHTS }, token)).status).toBe(status);
      expect((await t.api.get('/api/v1/admin/match-weights', token)).status).toBe(status);
    }
    const zero = { distance: 0, price: 0, rating: 0, completion: 0, response: 0, soonness: 0 };
    for (const bad of [{ weights: zero }, { weights: { ...zero, price: 101 } }, { weights: { ...zero, price: 1.5 } }, { weights: { ...zero, price: -1 } }, { weights: { price: 10 } }, { weights: { ...DEFAULT_MATCH_WEIGHTS, luck: 5 } }, { weights: DEFAULT_MATCH_WEIGHTS, extra: true }, {}]) {
      const res = await put(bad, admin.token);
      expect([res.status, res.body.error?.code], JSON.stringify(bad)).toEqual([400, 'VALIDATION_FAILED']);
    }

    try {
      // Price alone: the cheapest option first, whatever the distance.
      const priced = await put({ weights: { ...zero, price: 100 }, reason: 'Price-led matching week' }, admin.token);
      expect(priced.status).toBe(200);
      expect(priced.body.weights).toEqual({ ...zero, price: 100 });
      expect(priced.body.updatedAt).not.toBeNull();
      const r = await match(need());
      expect(r.weights).toEqual({ ...zero, price: 100 });
      expect(r.options[0]!.service.id).toBe(sv.farPads);
      // Distance alone: the nearest workshop's options first.
      expect((await put({ weights: { ...zero, distance: 100 } }, admin.token)).status).toBe(200);
      expect((await match(need())).options[0]!.workshop.id).toBe(ws.near);
    } finally {
      expect((await put({ weights: DEFAULT_MATCH_WEIGHTS }, admin.token)).status).toBe(200);
    }
    const trail = (await t.api.get(`/api/v1/admin/audit?targetType=settings&targetId=${MATCH_SETTINGS_ID}&limit=200`, admin.token)).body.entries as Array<{ action: string; reason: string; actor: { id: string } }>;
    const mine = trail.filter((e) => e.actor.id === admin.id);
    expect(mine.map((e) => e.action)).toEqual(['match.weights_update', 'match.weights_update', 'match.weights_update']);
    expect(mine[2]!.reason).toBe('distance 0, price 100, rating 0, completion 0, response 0, soonness 0: Price-led matching week');
  });
});

describe('rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After past RATE_LIMIT_MATCH_PER_MIN per address, bad requests included', async () => {
    const limited = await startTestServer({ RATE_LIMIT_MATCH_PER_MIN: '2' });
    try {
      const api = apiClient(limited.url);
      expect((await api.post('/api/v1/match', need())).status).toBe(200);
      expect((await api.post('/api/v1/match', need({ q: '&|!' }))).status).toBe(400);
      const third = await api.call('POST', '/api/v1/match', { body: need() });
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('RATE_LIMITED');
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
